# dartsprime: `make run` (a small real search), `make test` (the whole suite), `make bench`.
# Every target installs what is missing first, so they work on a fresh Debian machine as root.

SWIFT      ?= swift
CONFIG     ?= release
BIN        := .build/$(CONFIG)/dartsprime
APT_PKGS   := libhdf5-dev libopenblas-dev pkg-config zlib1g-dev dataset-fashion-mnist hdf5-tools graphviz librsvg2-bin
# Only `make test` needs these: the single-node Slurm its cluster tests start (issue 16).
TEST_PKGS  := slurmctld slurmd slurm-client munge
RUN_DIR    ?= artifacts/runs/demo

.PHONY: deps test-deps build run test bench seeds clean

# Installs the system packages of $(1) that are not there yet (apt-get update first, as on a fresh machine).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >&2; \
	fi
endef

deps:
	$(call apt_install,$(APT_PKGS))

test-deps:
	$(call apt_install,$(TEST_PKGS))

build: deps
	$(SWIFT) build -c $(CONFIG) --product dartsprime

# The demo ends by writing its figures (PNG via rsvg-convert, cells via dot) and printing where.
run: build
	$(BIN) demo

# Tests run in release (training code is too slow in debug) with testable imports enabled.
# The processes pin OpenBLAS's kernels themselves; the override used only to study kernel effects
# is cleared so a caller's setting cannot unpin the suite.
test: deps test-deps
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing
	env -u DARTSPRIME_OPENBLAS_CORETYPE $(SWIFT) test -c release --skip-build -Xswiftc -enable-testing

# Kernels, data, commits, one search iteration at both sizes of issue 6, one evaluation iteration at the
# cpu profile's and the paper's size (last line of each step/eval bench: median_s, peak_rss_mb), one recurrent
# search iteration at the ptb cpu profile's and the paper's size (last line also tokens_per_s).
bench: build
	$(BIN) bench kernels
	$(BIN) bench data
	$(BIN) bench store --init-channels 4 --layers 5 --batch-size 32 --method darts
	$(BIN) bench store --init-channels 4 --layers 5 --batch-size 32 --method prime
	$(BIN) bench store --init-channels 8 --layers 5 --batch-size 32 --method darts
	$(BIN) bench store --init-channels 8 --layers 5 --batch-size 32 --method prime
	$(BIN) bench store --init-channels 16 --layers 8 --batch-size 64 --method darts --repetitions 5
	$(BIN) bench step --init-channels 8 --layers 5 --batch-size 32 --iterations 7
	$(BIN) bench step --init-channels 8 --layers 5 --batch-size 32 --iterations 7 --weight-only
	$(BIN) bench step --init-channels 16 --layers 8 --batch-size 64 --iterations 3
	$(BIN) bench step --init-channels 16 --layers 8 --batch-size 64 --iterations 3 --weight-only
	$(BIN) bench eval --init-channels 16 --layers 8 --batch-size 64 --iterations 3
	$(BIN) bench eval --init-channels 36 --layers 20 --batch-size 96 --iterations 3
	$(BIN) bench rnn --tokens 10000 --hidden 64 --batch-size 64 --bptt 35 --iterations 5
	$(BIN) bench rnn --tokens 10000 --hidden 300 --batch-size 256 --bptt 35 --iterations 3

# Rewrites the audit records of seeds/ (seeds 101-104 x darts, prime, tiny profile on Fashion-MNIST)
# from this build: deliberately only, after a numerics change that says so in its commit.
seeds: build
	env -u DARTSPRIME_OPENBLAS_CORETYPE $(BIN) audit --record --seeds seeds

clean:
	rm -rf .build
