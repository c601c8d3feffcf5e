package org.rlimitevents.kernel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real child process (a small JVM) that maps more memory on request, growing its address space
 * (VmSize, what RLIMIT_AS limits) by a known amount. {@link #main} is the child.
 */
public final class MemHolder implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private MemHolder() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx32m", "-Xss256k", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=64m",
                "-XX:CompressedClassSpaceSize=32m", "-XX:MaxDirectMemorySize=4g", "-cp", System.getProperty("java.class.path"),
                MemHolder.class.getName());
        pb.environment().put("MALLOC_ARENA_MAX", "1"); // no 64 MB arena per thread: VmSize stays still
        process = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        if (!"ready".equals(out.readLine())) {
            throw new IOException("memory holder did not start");
        }
    }

    public static MemHolder start() throws IOException {
        return new MemHolder();
    }

    public int pid() {
        return (int) process.pid();
    }

    /** Maps {@code megabytes} more (untouched: address space, not memory) and waits until it is done. */
    public void grow(int megabytes) throws IOException {
        in.write(megabytes + "\n");
        in.flush();
        if (!"ok".equals(out.readLine())) {
            throw new IOException("memory holder failed to grow");
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The child: reads a number of megabytes per line, maps that much, answers "ok". */
    public static void main(String[] args) throws IOException {
        List<ByteBuffer> held = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        for (String line; (line = r.readLine()) != null; ) {
            int mb = Integer.parseInt(line.trim());
            for (int i = 0; i < mb; i++) {
                held.add(ByteBuffer.allocateDirect(1 << 20));
            }
            System.out.println("ok");
            System.out.flush();
        }
    }
}
