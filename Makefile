# rlimit-events: `make` builds everything, `make test` runs every test, `make deps` installs what
# the build and the tests need (Debian 12, idempotent). V=1 shows the commands.
.DELETE_ON_ERROR:
.PHONY: all build bpf cds deps test test-vm test-deb test-rfc rfc-check bench-rfc bench demo install deb clean

V ?= 0
ifeq ($(V),1)
Q :=
MVN_QUIET :=
else
Q := @
MVN_QUIET := -q
endif

# Debian's Maven 3.8.7 writes colour resets (ESC[0m) on exit even in batch mode; jansi.noreset stops them.
export MAVEN_OPTS := $(MAVEN_OPTS) -Djansi.noreset=true
MVN := mvn -B -Dstyle.color=never $(MVN_QUIET)
# Where `make install` puts things (the Debian package overrides a few: see `deb`).
prefix ?= /usr/local
DESTDIR ?=
ifeq ($(prefix),/usr)
sysconfdir ?= /etc
else
sysconfdir ?= $(prefix)/etc
endif
PLUGINDIR ?= $(prefix)/lib/nagios/plugins
PKGDATADIR ?= $(prefix)/share/rlimit-events
PKGLIBDIR ?= $(PKGDATADIR)/lib
SBINDIR ?= $(prefix)/sbin
CDS_ARCHIVE ?= $(PKGLIBDIR)/check_rlimit.jsa
NAGIOSCFGDIR ?= $(sysconfdir)/nagios-plugins/config
NRPECFGDIR ?= $(sysconfdir)/nagios/nrpe.d
ICINGA2CONFDIR ?= $(prefix)/share/icinga2/include/plugins-contrib.d
SYSTEMDUNITDIR ?= $(prefix)/lib/systemd/system
DEFAULTDIR ?= $(sysconfdir)/default
DOCDIR ?= $(prefix)/share/doc/rlimit-events
MANDIR ?= $(prefix)/share/man
LIB := plugins/target/lib
VERSION := $(shell sed -n 's|^  <version>\(.*\)</version>$$|\1|p' pom.xml | head -n 1)
ARCH := $(shell dpkg --print-architecture 2>/dev/null || uname -m)
DEB := build/rlimit-events_$(VERSION)_$(ARCH).deb

# Debian packages: build (JDK, Maven; clang/llvm, libbpf, bpftool for the BPF object), tests
# (prlimit/setpriv, pgrep, bash, mkfifo; gcc for the ABI test; a private Nagios 4 and Icinga 2,
# openssl for its certificate; nsca; lintian and systemd-analyze for the .deb; the full Nagios 4
# web UI with Apache, chromium and chromedriver, NRPE server and check_nrpe for the installed
# package's tests; nginx for the forked-workers test), bench (GNU time for max RSS; check_procs for
# reference), the RFC kernel (flex, bison, bc, libelf-dev to build it; gcc-multilib for the 32-bit
# client).
DEB_PACKAGES := openjdk-17-jdk-headless maven util-linux procps bash coreutils time \
	monitoring-plugins-basic strace clang llvm libbpf-dev libbpf1 bpftool gcc libc6-dev linux-libc-dev \
	qemu-system-x86 linux-image-amd64 busybox-static nagios4-core icinga2-bin icinga2-common openssl \
	lintian nsca systemd nagios4 apache2 chromium chromium-driver nagios-nrpe-server nagios-nrpe-plugin \
	nginx-light flex bison bc libelf-dev gcc-multilib rsync

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
	$(Q)plugins/bin/build-cds-archive plugins/bin/check_rlimit $(LIB)/check_rlimit.jsa

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
	$(Q)$(MAKE) --no-print-directory test-rfc
	$(Q)$(MAKE) --no-print-directory test-deb

# The fexit tier on Debian's stock kernel (these machines refuse fexit): the event-source tests in
# a QEMU guest booting linux-image-amd64 with this machine's userspace. Timings there mean nothing.
test-vm: all
	$(Q)kernel/vm/vmrun -- kernel/vm/run-tests FEXIT org.rlimitevents.kernel.events.EventSourceScenariosIT \
		org.rlimitevents.kernel.proc.FdCountMethodIT

# The RFC's own interface (kernel/patch/: rlimit-events v2 against bookworm's linux-source-6.1):
# the patched and the unpatched kernel (tinyconfig-based, cached in /var/cache/rlimit-events-kernels
# by the series' hash) booted in QEMU; the C client's checks and the netlink tier's scenarios.
test-rfc: all
	$(Q)kernel/patch/test/run test

rfc-check:
	$(Q)kernel/patch/test/run check

bench-rfc: all
	$(Q)kernel/patch/test/run bench

bench: all
	$(Q)bench/run

demo: all
	$(Q)demo/run

install: all
	$(Q)install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(NAGIOSCFGDIR) $(DESTDIR)$(NRPECFGDIR) \
		$(DESTDIR)$(ICINGA2CONFDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DEFAULTDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(MANDIR)/man8
	$(Q)install -m 0644 listener/target/lib/*.jar $(DESTDIR)$(PKGLIBDIR)/
	$(Q)sed 's|@LIBDIR@|$(PKGLIBDIR)|' listener/bin/rlimit-listener > $(DESTDIR)$(SBINDIR)/rlimit-listener
	$(Q)sed -e 's|@LIBDIR@|$(PKGLIBDIR)|' -e 's|@CDS_ARCHIVE@|$(CDS_ARCHIVE)|' plugins/bin/check_rlimit \
		> $(DESTDIR)$(PLUGINDIR)/check_rlimit
	$(Q)chmod 0755 $(DESTDIR)$(SBINDIR)/rlimit-listener $(DESTDIR)$(PLUGINDIR)/check_rlimit
	$(Q)install -m 0755 plugins/bin/build-cds-archive $(DESTDIR)$(PKGDATADIR)/build-cds-archive
	$(Q)sed 's|$$USER1$$/check_rlimit|$(PLUGINDIR)/check_rlimit|' nagios-config/nagios/rlimit.cfg \
		> $(DESTDIR)$(NAGIOSCFGDIR)/rlimit.cfg
	$(Q)sed 's|/usr/lib/nagios/plugins/check_rlimit|$(PLUGINDIR)/check_rlimit|' nagios-config/nrpe/rlimit.cfg \
		> $(DESTDIR)$(NRPECFGDIR)/rlimit.cfg
	$(Q)install -m 0644 nagios-config/icinga2/rlimit.conf $(DESTDIR)$(ICINGA2CONFDIR)/rlimit.conf
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|' -e 's|@DEFAULTDIR@|$(DEFAULTDIR)|' -e 's|@DOCDIR@|$(DOCDIR)|' \
		packaging/systemd/rlimit-listener.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/rlimit-listener.service
	$(Q)install -m 0644 packaging/default/rlimit-listener $(DESTDIR)$(DEFAULTDIR)/rlimit-listener
	$(Q)install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(Q)install -m 0644 packaging/man/rlimit-listener.8 $(DESTDIR)$(MANDIR)/man8/rlimit-listener.8
	$(Q)install -m 0644 nagios-config/README.md $(DESTDIR)$(DOCDIR)/examples/README.md
	$(Q)install -m 0644 nagios-config/nagios/rlimit-examples.cfg nagios-config/icinga2/rlimit-examples.conf \
		$(DESTDIR)$(DOCDIR)/examples/
	$(Q)chmod 0644 $(DESTDIR)$(NAGIOSCFGDIR)/rlimit.cfg $(DESTDIR)$(NRPECFGDIR)/rlimit.cfg \
		$(DESTDIR)$(SYSTEMDUNITDIR)/rlimit-listener.service
	$(Q)if [ -z "$(DESTDIR)" ]; then $(PKGDATADIR)/build-cds-archive $(PLUGINDIR)/check_rlimit $(CDS_ARCHIVE); \
	else echo "install: run $(PKGDATADIR)/build-cds-archive $(PLUGINDIR)/check_rlimit $(CDS_ARCHIVE) on the target"; fi

# The Debian package: the same layout as `make install`, Debian's paths, the CDS archive built by
# postinst in /var/cache (it belongs to the JVM of the machine it is installed on).
deb: all
	$(Q)rm -rf build/deb $(DEB)
	$(Q)$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/build/deb prefix=/usr \
		SYSTEMDUNITDIR=/lib/systemd/system CDS_ARCHIVE=/var/cache/rlimit-events/check_rlimit.jsa >/dev/null
	$(Q)packaging/debian/build-deb build/deb $(VERSION) $(ARCH) $(DEB)

# Builds the package, installs it here with dpkg, runs what it installed, purges it (root, CI).
test-deb: deb
	$(Q)packaging/test-deb $(DEB)

clean:
	$(Q)$(MVN) clean
	$(Q)rm -rf build
