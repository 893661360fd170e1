// HDF5's constants are C macros that expand to global-variable reads or function calls, which
// Swift cannot import; these inline functions expose the ones the project uses.
#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H
#include <hdf5.h>
#include <stdio.h>

static inline hid_t chdf5_p_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_s_all(void) { return H5S_ALL; }
static inline unsigned chdf5_f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned chdf5_f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline hid_t chdf5_t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_t_c_s1(void) { return H5T_C_S1; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t chdf5_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_link_create(void) { return H5P_LINK_CREATE; }
static inline hsize_t chdf5_s_unlimited(void) { return H5S_UNLIMITED; }
static inline hid_t chdf5_e_default(void) { return H5E_DEFAULT; }
static inline hid_t chdf5_p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t chdf5_t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t chdf5_t_std_u8le(void) { return H5T_STD_U8LE; }
static inline unsigned chdf5_f_obj_all(void) { return H5F_OBJ_ALL; }
static inline hid_t chdf5_f_obj_all_files(void) { return (hid_t)H5F_OBJ_ALL; }
/// Turns off HDF5's automatic printing of error stacks to stderr (errors travel as Swift errors).
static inline herr_t chdf5_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
/// The same, but only the first time on each thread (the setting is per thread in Debian's
/// thread-safe build), so the hot path of many small calls does not pay for it every time.
static inline void chdf5_silence_errors_once_per_thread(void) {
    static __thread int done = 0;
    if (!done) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); done = 1; }
}

/// Error-stack walker: keeps the outermost description in buf[0..255] and the innermost in
/// buf[256..511], so a Swift error can carry "what failed: why" in one line.
static inline herr_t chdf5_walk_collect(unsigned n, const H5E_error2_t *e, void *data) {
    char *buf = (char *)data;
    const char *desc = (e && e->desc) ? e->desc : "";
    if (n == 0) { snprintf(buf, 256, "%s", desc); }
    snprintf(buf + 256, 256, "%s", desc);
    return 0;
}
/// Copies the current thread's HDF5 error stack summary into `buf` (512 bytes) and clears it.
static inline void chdf5_collect_errors(char *buf) {
    buf[0] = 0; buf[256] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, chdf5_walk_collect, buf);
    H5Eclear2(H5E_DEFAULT);
}
#endif
