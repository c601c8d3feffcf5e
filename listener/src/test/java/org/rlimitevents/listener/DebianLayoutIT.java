package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * Watches taken from the object cache of a Nagios run with Debian's own configuration (templates,
 * cfg_dir, $USER1$ from /etc/nagios4/resource.cfg, host "localhost"), one rlimit service added the
 * way an admin would: "use generic-service" and a command under $USER1$.
 */
class DebianLayoutIT {
    private static final Path DEBIAN_CFG = Path.of("/etc/nagios4/nagios.cfg");

    @TempDir
    Path dir;
    private NagiosFixture nagios;
    private ListenerMain listener;
    private FdHolder child;

    @AfterEach
    void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (child != null) {
            child.close();
        }
        if (nagios != null) {
            nagios.close();
        }
    }

    @Test
    void servicesFromTheObjectCacheOfDebiansConfiguration() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable(NagiosFixture.NAGIOS, "nagios4-core");
        child = FdHolder.start();
        child.prlimit("--nofile=1000:1000");
        child.holdFds(850);
        Path pidfile = dir.resolve("holder.pid");
        Files.writeString(pidfile, child.pid() + "\n");
        nagios = new NagiosFixture(dir.resolve("nagios"), DEBIAN_CFG, String.join("\n",
                "define command {", "  command_name check_rlimit_nofile",
                "  command_line $USER1$/check_rlimit -P '$ARG1$' -r nofile -w '$ARG2$' -c '$ARG3$'", "}",
                "define service {", "  use generic-service", "  host_name localhost",
                "  service_description rlimit holder",
                "  check_command check_rlimit_nofile!" + pidfile + "!80%!90%", "  active_checks_enabled 0",
                "  passive_checks_enabled 1", "  check_freshness 1", "  freshness_threshold 3600",
                "  max_check_attempts 1", "}"));
        listener = TestListener.start(dir, line -> { }, "--host-name", "localhost", "--nagios-cfg", nagios.cfg.toString());
        Map<String, String> s = nagios.await("rlimit holder", st -> "1".equals(st.get("current_state"))
                && "1".equals(st.get("check_type")), 10_000);
        assertEquals("RLIMIT WARNING - bash[" + child.pid() + "] nofile 850/1000 (85%)", s.get("plugin_output"));
        assertEquals("nofile=850;800;900;0;1000", s.get("performance_data"));
    }
}
