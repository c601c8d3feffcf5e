package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * What an admin sees: Debian's full Nagios 4 (nagios4: Apache, the CGIs, /etc/nagios4) set up as
 * nagios-config/README.md says, with the installed package's rlimit-listener sending passive
 * results through the command pipe, read in headless Chromium (Debian's, through Debian's
 * chromedriver) behind basic authentication (/etc/nagios4/htpasswd.users). The service page shows
 * OK, then WARNING and CRITICAL with check_rlimit's output and perfdata within 2 s of a real
 * process crossing 80 % and 90 %; the alert history lists them; a wrong password gets no page.
 * Changes to Debian's configuration (status_update_interval 1 s, authentication on, the service)
 * and every file Nagios and Apache create are undone afterwards. Runs from packaging/test-deb.
 */
class NagiosWebUiInstalledIT {
    static final String USER = "nagiosadmin";
    static final String PASSWORD = "rlimit-webui-test";
    static final String SERVICE = "rlimit holder";
    static final Path SCREENSHOT = Path.of("../build/critical-service.png").toAbsolutePath().normalize();
    /** What this test edits (restored) and where Nagios and Apache leave files (new ones removed). */
    static final List<Path> EDITED = List.of(Path.of("/etc/nagios4/nagios.cfg"), Path.of("/etc/nagios4/cgi.cfg"),
            Path.of("/etc/apache2/conf-available/nagios4-cgi.conf"));
    static final List<Path> TREES = List.of(Path.of("/etc/nagios4"), Path.of("/etc/apache2"), Path.of("/var/lib/nagios4"),
            Path.of("/var/cache/nagios4"), Path.of("/var/log/nagios4"), Path.of("/var/lib/apache2"),
            Path.of("/var/cache/apache2"));

    @TempDir
    Path dir;
    private final Map<Path, Path> backups = new HashMap<>();
    private final Set<Path> before = new TreeSet<>();
    private FdHolder child;
    private Process listener;
    private ChromeDriver browser;
    private Path profile;
    private boolean started;

    @BeforeEach
    void setUp() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable("/usr/sbin/nagios4", "nagios4");
        Prerequisites.requireExecutable("/usr/lib/cgi-bin/nagios4/status.cgi", "nagios4-cgi");
        Prerequisites.requireExecutable("/usr/sbin/apache2ctl", "apache2");
        Prerequisites.requireExecutable("/usr/bin/htpasswd", "apache2-utils");
        Prerequisites.requireExecutable("/usr/bin/chromium", "chromium");
        Prerequisites.requireExecutable("/usr/bin/chromedriver", "chromium-driver");
        Prerequisites.requireExecutable("/usr/sbin/rlimit-listener", "rlimit-events (the .deb: packaging/test-deb)");
        for (Path t : TREES) {
            if (Files.exists(t)) {
                try (Stream<Path> s = Files.walk(t)) {
                    s.forEach(before::add);
                }
            }
        }
        for (Path f : EDITED) {
            Path copy = dir.resolve("backup-" + f.getFileName());
            Files.copy(f, copy, StandardCopyOption.COPY_ATTRIBUTES);
            backups.put(f, copy);
        }
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        child = TestListener.holder(dir, 100);
        configure();
        run("/etc/init.d/apache2", "start");
        run("/etc/init.d/nagios4", "start");
        started = true;
        startListener();
        profile = Files.createTempDirectory("rlimit-chromium-");
        browser = browser(profile);
    }

    /** The admin's steps: the service (README "Adding a service"), a password, authentication on. */
    private void configure() throws Exception {
        Files.writeString(Path.of("/etc/nagios4/conf.d/rlimit-webui-test.cfg"), String.join("\n",
                "define service {", "\tuse\t\t\trlimit-passive-service,generic-service", "\thost_name\t\tlocalhost",
                "\tservice_description\t" + SERVICE,
                "\tcheck_command\t\tcheck_rlimit_pidfile!" + dir.resolve("holder.pid") + "!nofile!80%!90%", "\t}", ""));
        // the CGIs read status.dat: written every second instead of every 10
        edit(Path.of("/etc/nagios4/nagios.cfg"), "status_update_interval=10", "status_update_interval=1");
        // Debian's "step up" (its apache2.conf): everyone authenticates, the CGIs check who
        edit(Path.of("/etc/nagios4/cgi.cfg"), "use_authentication=0", "use_authentication=1");
        // Apache reads its copy of /etc/nagios4/apache2.conf (conf-enabled/nagios4-cgi.conf)
        Path site = Path.of("/etc/apache2/conf-available/nagios4-cgi.conf");
        String apache = Files.readString(site);
        int from = apache.indexOf("    Require ip");
        int to = apache.indexOf("</DirectoryMatch>");
        assertTrue(from > 0 && to > from, "Debian's " + site + " as shipped");
        Files.writeString(site, apache.substring(0, from) + String.join("\n",
                "    AuthName \"Nagios4\"", "    AuthType Basic", "    AuthUserFile /etc/nagios4/htpasswd.users",
                "    Require valid-user", "") + apache.substring(to));
        run("htpasswd", "-b", "-c", "/etc/nagios4/htpasswd.users", USER, PASSWORD);
        run("a2enmod", "-q", "cgid"); // the CGIs need it; not enabled by the package without systemd
        Commands.Result v = Commands.exec(List.of("/usr/sbin/nagios4", "-v", "/etc/nagios4/nagios.cfg"), 60);
        assertEquals(0, v.exitCode(), v.stdout());
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains("\n" + from + "\n"), file + " has " + from);
        Files.writeString(file, text.replace("\n" + from + "\n", "\n" + to + "\n"));
    }

    private static void run(String... command) throws Exception {
        Commands.Result r = Commands.exec(List.of(command), 60);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": exit " + r.exitCode() + " " + r.stdout()
                    + r.stderr());
        }
    }

    /** The installed listener with Debian's defaults (nagios.cfg, its object cache, the command pipe). */
    private void startListener() throws Exception {
        Path err = dir.resolve("listener.err");
        listener = new ProcessBuilder("/usr/sbin/rlimit-listener", "--host-name", "localhost", "--heartbeat", "0",
                "--spool-dir", dir.resolve("spool").toString(), "--control-socket", dir.resolve("control").toString())
                .redirectErrorStream(true).redirectOutput(err.toFile()).start();
        for (int i = 0; i < 300 && !Files.readString(err).contains("rlimit-listener: ready"); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.readString(err).contains("watching 1 service(s)"), Files.readString(err));
    }

    private static ChromeDriver browser(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriver d = new ChromeDriver(service, options);
        d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return d;
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
            if (profile != null) {
                try (Stream<Path> s = Files.walk(profile)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            if (listener != null) {
                listener.destroy();
                listener.waitFor(10, TimeUnit.SECONDS);
            }
            if (started) {
                Commands.exec(List.of("/etc/init.d/nagios4", "stop"), 60);
                Commands.exec(List.of("/etc/init.d/apache2", "stop"), 60);
            }
            TestListener.closeAll(child);
        } finally {
            for (Map.Entry<Path, Path> b : backups.entrySet()) {
                Files.copy(b.getValue(), b.getKey(), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
            List<Path> created = new ArrayList<>();
            for (Path t : TREES) {
                if (Files.exists(t)) {
                    try (Stream<Path> s = Files.walk(t)) {
                        s.filter(p -> !before.contains(p)).forEach(created::add);
                    }
                }
            }
            created.sort(Comparator.reverseOrder()); // children first
            for (Path p : created) {
                Files.deleteIfExists(p);
            }
        }
    }

    private String url(String cgi, String query) {
        return "http://" + USER + ":" + PASSWORD + "@127.0.0.1/cgi-bin/nagios4/" + cgi + "?" + query;
    }

    private String serviceQuery() {
        return "type=2&host=localhost&service=" + SERVICE.replace(" ", "+");
    }

    /** Loads the page again and again until its text matches; the text. */
    private String await(String url, Predicate<String> p, long ms) throws InterruptedException {
        return awaitPage(url, p, ms).text();
    }

    /** A page's text and when it was asked for (what it shows was true then). */
    record Page(String text, long requestedAt) {
    }

    private Page awaitPage(String url, Predicate<String> p, long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        String text = "";
        while (System.currentTimeMillis() < deadline) {
            long requested = System.currentTimeMillis();
            browser.get(url);
            text = browser.findElement(By.tagName("body")).getText();
            if (p.test(text)) {
                return new Page(text, requested);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never matched within " + ms + " ms: " + url + "\n" + text);
    }

    private static Predicate<String> state(String state) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("Current Status:\\s+" + state + "\\s");
        return t -> p.matcher(t).find();
    }

    /**
     * The open-file count the page shows in check_rlimit's output (its status information, long
     * output line and perfdata all saying the same).
     */
    private static int shown(String page, String state, String pid) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Status Information: RLIMIT " + state + " - bash\\["
                + pid + "\\] nofile (\\d+)/1000 \\((\\d+)%\\)\n" + state + ": bash\\[" + pid
                + "\\] nofile (\\d+)/1000 \\(\\d+%\\)\nPerformance Data: nofile=(\\d+);800;900;0;1000\n").matcher(page);
        assertTrue(m.find(), page);
        int n = Integer.parseInt(m.group(1));
        assertEquals(percent(n), Integer.parseInt(m.group(2)));
        assertEquals(List.of(n, n), List.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))));
        return n;
    }

    /** n of 1000 as check_rlimit prints it: a whole percent, rounded half up (905 is 91 %). */
    private static long percent(int n) {
        return Math.round(n / 10.0);
    }

    @Test
    void theServicePageShowsEachStateWithinTwoSecondsAndTheHistoryListsThem() throws Exception {
        String pid = Integer.toString(child.pid());
        String ok = await(url("extinfo.cgi", serviceQuery()), state("OK"), 20_000);
        assertTrue(ok.contains("RLIMIT OK - bash[" + pid + "] nofile 100/1000 (10%)"), ok);
        assertTrue(ok.contains("nofile=100;800;900;0;1000"), ok);

        // the listener reports the crossing itself (with an event tier: at the first fd past 80 %)
        child.holdFds(850);
        long t0 = System.currentTimeMillis();
        Page warningPage = awaitPage(url("extinfo.cgi", serviceQuery()), state("WARNING"), 5000);
        String warning = warningPage.text();
        long warningMs = warningPage.requestedAt() - t0;
        int n = shown(warning, "WARNING", pid);
        assertTrue(n >= 800 && n < 900, warning);
        assertTrue(warning.contains("Check Type: PASSIVE"), warning);

        child.holdFds(950);
        t0 = System.currentTimeMillis();
        Page criticalPage = awaitPage(url("extinfo.cgi", serviceQuery()), state("CRITICAL"), 5000);
        String critical = criticalPage.text();
        long criticalMs = criticalPage.requestedAt() - t0;
        int c = shown(critical, "CRITICAL", pid);
        assertTrue(c >= 900 && c < 1000, critical);
        Files.createDirectories(SCREENSHOT.getParent());
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(warningMs <= 2000 && criticalMs <= 2000, "WARNING after " + warningMs + " ms, CRITICAL after "
                + criticalMs + " ms");
        // from the crossing (the fds were open) to the request of the first page showing it
        System.out.println("web UI: WARNING after " + warningMs + " ms, CRITICAL after " + criticalMs + " ms");

        String status = await(url("status.cgi", "host=localhost"), t -> t.contains(SERVICE), 5000);
        List<String> lines = status.lines().toList(); // the service's name, then its row
        String row = lines.get(Math.min(lines.size() - 1, lines.indexOf(SERVICE) + 1));
        // the value at the crossing, or the settled one (2 s after the last event: the settle rule)
        assertTrue(row.contains("CRITICAL") && (row.contains("RLIMIT CRITICAL - bash[" + pid + "] nofile " + c + "/1000")
                || row.contains("RLIMIT CRITICAL - bash[" + pid + "] nofile 950/1000")), row + "\n" + status);

        // the alert history (Nagios's log): newest first, this process's transitions, as Nagios logged them
        String alert = "SERVICE ALERT: localhost;" + SERVICE + ";";
        String history = await(url("history.cgi", "host=localhost&service=" + SERVICE.replace(" ", "+")),
                t -> t.contains(alert + "CRITICAL;HARD;1;RLIMIT CRITICAL - bash[" + pid + "]"), 5000);
        List<String> alerts = history.lines().filter(l -> l.contains(alert) && l.contains("bash[" + pid + "]")).toList();
        assertEquals(2, alerts.size(), history); // OK after PENDING is no alert
        assertTrue(alerts.get(0).endsWith(alert + "CRITICAL;HARD;1;RLIMIT CRITICAL - bash[" + pid + "] nofile " + c
                + "/1000 (" + percent(c) + "%)"), alerts.get(0));
        assertTrue(alerts.get(1).endsWith(alert + "WARNING;HARD;1;RLIMIT WARNING - bash[" + pid + "] nofile " + n
                + "/1000 (" + percent(n) + "%)"), alerts.get(1));
    }

    @Test
    void aWrongPasswordGetsNoPage() throws Exception {
        String page = "/cgi-bin/nagios4/status.cgi?host=localhost";
        browser.get("http://" + USER + ":wrong@127.0.0.1" + page);
        String text = browser.findElement(By.tagName("body")).getText();
        assertTrue(!text.contains("Current Network Status") && !text.contains(SERVICE), text);
        // what the browser was told: 401 and Apache's reason
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1" + page))
                        .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                                (USER + ":wrong").getBytes(java.nio.charset.StandardCharsets.UTF_8))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("This server could not verify that you\nare authorized"), r.body());
        // and the right one does
        browser.get(url("status.cgi", "host=localhost"));
        assertTrue(browser.findElement(By.tagName("body")).getText().contains("Current Network Status"));
    }
}
