package org.rlimitevents.listener.sink;

import java.nio.file.Path;

import org.rlimitevents.kernel.sys.CommandPipe;

/** The Nagios external command file (a FIFO): one atomic write per result. */
public final class CommandFileSink implements ResultSink {
    private final CommandPipe pipe;

    public CommandFileSink(Path commandFile) {
        pipe = new CommandPipe(commandFile);
    }

    @Override
    public void send(PassiveResult result) throws SinkException {
        try {
            pipe.write(ExternalCommand.of(result));
        } catch (CommandPipe.PipeException e) {
            throw new SinkException(e.getMessage(), e.retryable());
        }
    }

    @Override
    public String describe() {
        return "command file " + pipe.path();
    }
}
