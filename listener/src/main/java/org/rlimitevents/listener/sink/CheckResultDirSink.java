package org.rlimitevents.listener.sink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Nagios check-result spool files (check_result_path): no PIPE_BUF limit, so long output goes
 * whole. A file "cXXXXXX" (exactly seven characters) is written first, then the empty "cXXXXXX.ok"
 * that tells the reaper it is complete.
 */
public final class CheckResultDirSink implements ResultSink {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private final Path dir;
    private final java.util.Random random = new java.security.SecureRandom();

    public CheckResultDirSink(Path dir) {
        this.dir = dir;
    }

    @Override
    public void send(PassiveResult r) throws SinkException {
        ExternalCommand.checkName(r.host(), "host name");
        ExternalCommand.checkName(r.service(), "service description");
        String body = "### rlimit-listener\nfile_time=" + r.epochSeconds() + "\n\n"
                + "host_name=" + r.host() + "\nservice_description=" + r.service() + "\ncheck_type=1\n"
                + "check_options=0\nscheduled_check=0\nreschedule_check=0\nlatency=0.0\n"
                + "start_time=" + r.epochSeconds() + ".0\nfinish_time=" + r.epochSeconds() + ".0\n"
                + "early_timeout=0\nexited_ok=1\nreturn_code=" + r.returnCode() + "\n"
                + "output=" + ExternalCommand.escape(r.output().endsWith("\n")
                        ? r.output().substring(0, r.output().length() - 1) : r.output()) + "\n";
        try {
            Path tmp = Files.createTempFile(dir, ".rlimit", ".tmp");
            Files.writeString(tmp, body, StandardCharsets.UTF_8);
            for (int attempt = 0; attempt < 100; attempt++) {
                Path target = dir.resolve("c" + name());
                if (!Files.exists(target)) {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                    Files.createFile(dir.resolve(target.getFileName() + ".ok"));
                    return;
                }
            }
            Files.deleteIfExists(tmp);
            throw new SinkException("no free check result file name in " + dir, true);
        } catch (IOException e) {
            throw new SinkException("writing a check result file in " + dir + ": " + e.getMessage(), true);
        }
    }

    private String name() {
        StringBuilder b = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    @Override
    public String describe() {
        return "check result directory " + dir;
    }
}
