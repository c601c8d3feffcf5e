package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlimitevents.plugin.ArgParser;

class ListenerOptionsTest {
    private static String refused(String... args) {
        return assertThrows(ArgParser.ArgException.class, () -> ListenerOptions.parse(args)).getMessage();
    }

    @Test
    void remoteDestinations() throws Exception {
        RemoteOptions r = ListenerOptions.parse("--host-name", "h", "--icinga-api", "https://icinga:5665",
                "--icinga-ca", "/etc/ca.crt", "--icinga-credentials", "/etc/cred", "--icinga-services", "--timeout",
                "3").remote();
        assertEquals(new RemoteOptions(List.of(URI.create("https://icinga:5665")), Path.of("/etc/ca.crt"),
                Path.of("/etc/cred"), true, "h", List.of(), null, null, List.of(), null, 3), r);
        assertEquals("--icinga-api needs --icinga-ca and --icinga-credentials",
                refused("--icinga-api", "https://icinga:5665"));
        assertEquals("--icinga-services needs --icinga-api", refused("--icinga-services"));
        assertEquals("--nrdp-url needs --nrdp-token-file", refused("--nrdp-url", "http://n/nrdp/"));
        assertEquals("one destination for results: --command-file, --check-result-dir, --icinga-api, --nrdp-url or"
                + " --nsca", refused("--nsca", "n:5667", "--command-file", "/x"));
        assertEquals("one destination for results: --command-file, --check-result-dir, --icinga-api, --nrdp-url or"
                + " --nsca", refused("--nsca", "n", "--nrdp-url", "http://n/", "--nrdp-token-file", "/t"));
        assertEquals("--timeout must be 1 to 600 seconds", refused("--timeout", "0"));
        assertEquals("--nrdp-url: not an http(s) URL with a host: ftp://x/", refused("--nrdp-url", "ftp://x/",
                "--nrdp-token-file", "/t"));
    }

    @Test
    void severalEndpointsInFailoverOrderRepeatedOrCommaSeparated() throws Exception {
        RemoteOptions r = ListenerOptions.parse("--nrdp-url", "http://a/nrdp/,http://b/nrdp/", "--nrdp-url",
                "https://c/nrdp/", "--nrdp-token-file", "/t").remote();
        assertEquals(List.of(URI.create("http://a/nrdp/"), URI.create("http://b/nrdp/"), URI.create("https://c/nrdp/")),
                r.nrdpUrl());
        assertEquals(List.of("n1:5667", "n2"), ListenerOptions.parse("--nsca", "n1:5667, n2").remote().nsca());
        assertEquals("--icinga-api: an empty endpoint in 'https://a:5665,'", refused("--icinga-api",
                "https://a:5665,", "--icinga-ca", "/c", "--icinga-credentials", "/c"));
        assertEquals("--nsca: n1 given twice", refused("--nsca", "n1", "--nsca", "n1"));
        assertEquals("--nrdp-url: not an http(s) URL with a host: b/nrdp/", refused("--nrdp-url", "http://a/,b/nrdp/",
                "--nrdp-token-file", "/t"));
    }

    @Test
    void tiers() throws Exception {
        assertEquals(org.rlimitevents.kernel.events.EventSources.Choice.NETLINK,
                ListenerOptions.parse("--host-name", "h", "--tier", "netlink").tier());
        assertEquals("--tier must be auto, netlink, fexit, tracepoint, sampling or polling", refused("--tier", "bpf"));
    }

    @Test
    void getoptFormsAndNoGuessing() throws Exception {
        assertEquals("h2", ListenerOptions.parse("--host-name=h1", "--host-name", "h2").hostName()); // the last wins
        assertEquals("Unrecognized option: --host", refused("--host", "h")); // no abbreviations
        assertEquals("Missing argument for option: heartbeat", refused("--heartbeat"));
        assertEquals("unexpected argument 'stats'", refused("stats"));
        assertTrue(ListenerOptions.USAGE.contains("--settle <SECONDS>"), ListenerOptions.USAGE);
    }
}
