package org.rlimitevents.listener.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @Test
    void wordsAsNagiosSplitsThem() throws ConfigException {
        assertEquals(List.of("/p/check_rlimit", "-w", "~:10", "-a", "java -jar x", "a b", "c\"d", "e f"),
                Words.split("/p/check_rlimit -w '~:10' -a 'java -jar x' \"a b\" \"c\\\"d\" e\\ f"));
        assertThrows(ConfigException.class, () -> Words.split("-w '80"));
    }

    @Test
    void checkCommandArgumentsAndEscapedBang() {
        assertEquals(List.of("check_rlimit", "80%", "9!0", ""), NagiosObjects.splitCheckCommand("check_rlimit!80%!9\\!0!"));
    }

    @Test
    void macros() {
        assertEquals("/usr/lib/nagios/plugins/check_rlimit -w 80% $UNKNOWN$ $ web1",
                NagiosObjects.expand("$USER1$/check_rlimit -w $ARG1$ $UNKNOWN$ $$ $HOSTNAME$",
                        Map.of("USER1", "/usr/lib/nagios/plugins", "ARG1", "80%", "HOSTNAME", "web1")));
    }

    @Test
    void servicesOfThisHostFromTheObjectCache(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("objects.cache");
        Files.writeString(cache, String.join("\n",
                "define command {", "\tcommand_name\tcheck_rlimit",
                "\tcommand_line\t$USER1$/check_rlimit -C '$ARG1$' -w '$ARG2$' -c '$ARG3$' -r nofile", "\t}", "",
                "define command {", "\tcommand_name\tcheck_ping", "\tcommand_line\t$USER1$/check_ping -H $HOSTADDRESS$",
                "\t}", "",
                "define host {", "\thost_name\tweb1", "\taddress\t10.0.0.1", "\t}", "",
                "define service {", "\thost_name\tweb1", "\tservice_description\trlimit nginx",
                "\tcheck_command\tcheck_rlimit!nginx!~:70%!@95%:100%", "\t}", "",
                "define service {", "\thost_name\tweb1", "\tservice_description\tping",
                "\tcheck_command\tcheck_ping", "\t}", "",
                "define service {", "\thost_name\tdb1", "\tservice_description\trlimit postgres",
                "\tcheck_command\tcheck_rlimit!postgres!80%!90%", "\t}", ""));
        Path resource = dir.resolve("resource.cfg");
        Files.writeString(resource, "# comment\n$USER1$=/usr/lib/nagios/plugins\n");
        List<ServiceDefinition> s = NagiosObjects.services(cache, resource, "web1");
        assertEquals(1, s.size());
        assertEquals("web1;rlimit nginx", s.get(0).key());
        assertEquals(List.of("-C", "nginx", "-w", "~:70%", "-c", "@95%:100%", "-r", "nofile"), s.get(0).arguments());
        assertEquals("nginx", s.get(0).options().selection().command());
    }

    @Test
    void objectCacheAndResourceFileFromNagiosCfg(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("nagios.cfg");
        Files.writeString(cfg, "log_file=/x\nobject_cache_file=/var/lib/nagios4/objects.cache\n"
                + "resource_file=/etc/nagios4/resource.cfg\n");
        NagiosObjects.Paths p = NagiosObjects.fromNagiosCfg(cfg);
        assertEquals(Path.of("/var/lib/nagios4/objects.cache"), p.objectCache());
        assertEquals(Path.of("/etc/nagios4/resource.cfg"), p.resourceFile());
    }

    @Test
    void ownServiceFileWithErrorsNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("services");
        Files.writeString(f, "# host;service;options\n\nweb1;rlimit sshd;-C sshd -r nofile,nproc\n");
        List<ServiceDefinition> s = ServiceFile.read(f);
        assertEquals(1, s.size());
        assertEquals("web1;rlimit sshd", s.get(0).key());
        // bad options make one broken service, reported UNKNOWN with its file:line; the others run
        Files.writeString(f, "web1;ok;-C a\nweb1;bad;-w 2:1\n");
        s = ServiceFile.read(f);
        assertEquals(2, s.size());
        assertEquals(null, s.get(0).problem());
        assertEquals(null, s.get(1).options());
        assertEquals(f + ":2: check_rlimit options: invalid range '2:1': start is greater than end", s.get(1).problem());
        Files.writeString(f, "only two;fields\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ServiceFile.read(f));
        assertTrue(e.getMessage().startsWith(f + ":1: expected host;service description;check_rlimit options"));
    }

    @Test
    void latin1BytesAnywhereAreReadAndDefinitionsNameTheirLine(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("objects.cache");
        byte[] latin1Alias = "\talias\tServeur de donn\u00e9es\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(String.join("\n", "define command {", "\tcommand_name\tcheck_rlimit",
                "\tcommand_line\t/p/check_rlimit -C '$ARG1$' -r nofile", "\t}",
                "define host {", "\thost_name\tdb1", "").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b.writeBytes(latin1Alias);
        b.writeBytes(String.join("\r\n", "\t}", "define service {", "\thost_name\tweb1",
                "\tservice_description\trlimit caf\u00e9", "\tcheck_command\tcheck_rlimit!nginx", "\t}", "")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(cache, b.toByteArray());
        List<ServiceDefinition> s = NagiosObjects.services(cache, null, "web1");
        assertEquals(List.of("web1;rlimit caf\u00e9"), s.stream().map(ServiceDefinition::key).toList());
        assertEquals(cache + ":9: service 'rlimit caf\u00e9'", s.get(0).origin());
        assertEquals("\talias\tServeur de donn\u00e9es", ConfigText.lines(cache).get(6));
    }

    @Test
    void aWorldWritableServiceFileIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("services");
        Files.writeString(f, "web1;rlimit sshd;-C sshd\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        ConfigException e = assertThrows(ConfigException.class, () -> ServiceFile.read(f));
        assertEquals(f + ": writable by every user, so anyone could choose what is watched and reported: refused"
                + " (chmod o-w)", e.getMessage());
    }
}
