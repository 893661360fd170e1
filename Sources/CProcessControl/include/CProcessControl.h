// Process control that Swift cannot call directly: prctl(2) is variadic, and Swift does not
// import variadic C functions.
#ifndef CPROCESSCONTROL_H
#define CPROCESSCONTROL_H

/// Asks the kernel to send `signal` to this process when the thread that created it exits
/// (PR_SET_PDEATHSIG). Returns 0, or -1 with errno set (always -1 off Linux).
int dartsprime_set_parent_death_signal(int signal);

#endif
