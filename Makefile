# rlimit-events: `make` builds everything, `make test` runs every test, `make deps` installs what
# the build and the tests need (Debian 12, idempotent). V=1 shows the commands.
.DELETE_ON_ERROR:
.PHONY: all build bpf cds deps test test-vm bench demo install clean

V ?= 0
ifeq ($(V),1)
Q :=
MVN_QUIET :=
else
Q := @
MVN_QUIET := -q
endif

MVN := mvn -B -Dstyle.color=never $(MVN_QUIET)
prefix ?= /usr/local
DESTDIR ?=
PLUGINDIR ?= $(prefix)/lib/nagios/plugins
PKGLIBDIR ?= $(prefix)/share/rlimit-events/lib
SBINDIR ?= $(prefix)/sbin
LIB := plugins/target/lib

# Debian packages: build (JDK, Maven; clang/llvm, libbpf, bpftool for the BPF object), tests
# (prlimit/setpriv, pgrep, bash, mkfifo; gcc for the ABI test; a private Nagios 4 and Icinga 2, openssl
# for its certificate; lintian for the .deb), bench (GNU time for max RSS; check_procs for reference).
DEB_PACKAGES := openjdk-17-jdk-headless maven util-linux procps bash coreutils time \
	monitoring-plugins-basic clang llvm libbpf-dev libbpf1 bpftool gcc libc6-dev linux-libc-dev \
	qemu-system-x86 linux-image-amd64 busybox-static nagios4-core icinga2-bin icinga2-common openssl \
	lintian dpkg-dev

# The BPF object: CO-RE, so the vmlinux.h of the build machine serves every kernel with BTF.
BPF_OUT := build/bpf
BPF_CFLAGS := -g -O2 -mcpu=v3 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror
BPF_OBJECTS := $(BPF_OUT)/rlimit_events.bpf.o

all: build cds

build: bpf
	$(Q)$(MVN) package -DskipTests

bpf: $(BPF_OBJECTS)

$(BPF_OUT)/vmlinux.h:
	$(Q)mkdir -p $(BPF_OUT)
	$(Q)bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BPF_OUT)/%.bpf.o: kernel/bpf/%.bpf.c kernel/bpf/rlimit_events.h $(BPF_OUT)/vmlinux.h
	$(Q)clang $(BPF_CFLAGS) -I$(BPF_OUT) -Ikernel/bpf -c $< -o $@

# The AppCDS archive of the plugin's classes: a class path of jars, written by one training run of
# the launcher itself, then checked with -Xshare:on (a bad archive is otherwise silently ignored).
cds: build
	$(Q)plugins/bin/build-cds-archive $(LIB)

deps:
	$(Q)missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing$$(printf ' %s' $$missing)"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "deps: missing packages; run as root:"; \
		echo "  apt-get install -y$$(printf ' %s' $$missing)"; exit 1; fi

# Unit tests (surefire, *Test) and live tests against real processes (failsafe, *IT); not quiet,
# so that the test counts of every module are printed.
test: all
	$(Q)mvn -B -Dstyle.color=never --no-transfer-progress verify
	$(Q)$(MAKE) --no-print-directory test-vm

# The fexit tier on Debian's stock kernel (these machines refuse fexit): the event-source tests in
# a QEMU guest booting linux-image-amd64 with this machine's userspace. Timings there mean nothing.
test-vm: all
	$(Q)kernel/vm/vmrun -- kernel/vm/run-tests FEXIT

bench: all
	$(Q)bench/run

demo: all
	$(Q)demo/run

install: all
	$(Q)install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(SBINDIR)
	$(Q)install -m 0644 listener/target/lib/*.jar $(DESTDIR)$(PKGLIBDIR)/
	$(Q)sed 's|@LIBDIR@|$(PKGLIBDIR)|' listener/bin/rlimit-listener > $(DESTDIR)$(SBINDIR)/rlimit-listener
	$(Q)chmod 0755 $(DESTDIR)$(SBINDIR)/rlimit-listener
	$(Q)sed 's|@LIBDIR@|$(PKGLIBDIR)|' plugins/bin/check_rlimit > $(DESTDIR)$(PLUGINDIR)/check_rlimit
	$(Q)chmod 0755 $(DESTDIR)$(PLUGINDIR)/check_rlimit
	$(Q)install -m 0755 plugins/bin/build-cds-archive $(DESTDIR)$(PKGLIBDIR)/build-cds-archive
	$(Q)if [ -z "$(DESTDIR)" ]; then $(PKGLIBDIR)/build-cds-archive $(PKGLIBDIR) $(PLUGINDIR)/check_rlimit; \
	else echo "install: run $(PKGLIBDIR)/build-cds-archive $(PKGLIBDIR) on the target for fast start-up"; fi

clean:
	$(Q)$(MVN) clean
	$(Q)rm -rf build
