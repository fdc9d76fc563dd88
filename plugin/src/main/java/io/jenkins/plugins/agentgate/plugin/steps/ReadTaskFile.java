package io.jenkins.plugins.agentgate.plugin.steps;

import hudson.remoting.VirtualChannel;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jenkins.MasterToSlaveFileCallable;

/**
 * Reads {@code taskFile} on the agent: a UTF-8 file inside the workspace, symlinks resolved and required to
 * stay inside it (a task must not be read from elsewhere on the agent), at most {@link #MAX_BYTES}.
 */
final class ReadTaskFile extends MasterToSlaveFileCallable<String> {

    private static final long serialVersionUID = 1L;
    static final int MAX_BYTES = 1 << 20;

    private final String taskFile;

    ReadTaskFile(String taskFile) {
        this.taskFile = taskFile;
    }

    @Override
    public String invoke(File workspace, VirtualChannel channel) throws IOException {
        Path ws = workspace.toPath().toRealPath();
        Path asked = ws.resolve(taskFile).normalize();
        if (Path.of(taskFile).isAbsolute() || !asked.startsWith(ws)) {
            throw new IOException(Messages.ReadTaskFile_Outside(taskFile, ws));
        }
        if (!Files.isRegularFile(asked)) {
            throw new IOException(Messages.ReadTaskFile_Missing(taskFile, ws));
        }
        Path real = asked.toRealPath();
        if (!real.startsWith(ws)) {
            throw new IOException(Messages.ReadTaskFile_Symlink(taskFile, real));
        }
        if (Files.size(real) > MAX_BYTES) {
            throw new IOException(Messages.ReadTaskFile_TooLarge(taskFile, Files.size(real), MAX_BYTES));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(real))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(Messages.ReadTaskFile_NotUtf8(taskFile), e);
        }
    }
}
