package io.jenkins.plugins.agentgate.cli;

import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The CLI's {@link SecretSource}: values from files or environment variables, as given by {@code --credential}.
 * Values are read when resolved (after the policy granted the lease), never at option parsing.
 *
 * <p>Files: at most {@value #MAX_BYTES} bytes, a regular file, not readable by "others" (like ssh with private
 * keys), one trailing line ending removed (so {@code echo TOKEN > file} works). Environment variables: the value
 * as UTF-8, unchanged.
 */
public final class CliSecretSource implements SecretSource {
    static final int MAX_BYTES = 64 * 1024;

    private final Map<String, CredentialSpec> specs = new LinkedHashMap<>();
    private final Function<String, String> env;

    public CliSecretSource(List<CredentialSpec> specs) {
        this(specs, System::getenv);
    }

    /** @param env environment lookup (tests pass their own) */
    CliSecretSource(List<CredentialSpec> specs, Function<String, String> env) {
        for (CredentialSpec s : specs) {
            CredentialSpec first = specs.stream().filter(o -> o.id().equals(s.id())).findFirst().orElseThrow();
            if (first != s) {
                throw new IllegalArgumentException("--credential '" + s + "': credential '" + s.id()
                        + "' is already given as '" + first + "'; expected each id once");
            }
            this.specs.put(s.id(), s);
        }
        this.env = env;
    }

    /**
     * Checks every source without keeping any value: files exist and are usable, variables are set. For a usage
     * error (exit 2) before anything starts.
     *
     * @return one message per problem, empty when all are usable
     */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        for (CredentialSpec s : specs.values()) {
            try (SecretValue v = resolve(s.id())) {
                // read and wiped at once: only whether it can be read matters here
                v.length();
            } catch (SecretSourceException e) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    @Override
    public SecretValue resolve(String credentialId) throws SecretSourceException {
        CredentialSpec s = specs.get(credentialId);
        if (s == null) {
            throw new SecretSourceException(credentialId, "credential '" + credentialId + "' has no source; expected"
                    + " --credential " + credentialId + "=file:PATH or " + credentialId + "=env:NAME"
                    + (specs.isEmpty() ? "" : " (given: " + String.join(", ", specs.keySet()) + ")"));
        }
        return s.kind() == CredentialSpec.Kind.ENV ? fromEnv(s) : fromFile(s);
    }

    private SecretValue fromEnv(CredentialSpec s) throws SecretSourceException {
        String v = env.apply(s.location());
        if (v == null || v.isEmpty()) {
            throw new SecretSourceException(s.id(), "--credential '" + s + "': environment variable " + s.location()
                    + " is " + (v == null ? "not set" : "empty") + "; expected it to hold the credential's value");
        }
        return SecretValue.ofUtf8(v.toCharArray());
    }

    private SecretValue fromFile(CredentialSpec s) throws SecretSourceException {
        Path p = Path.of(s.location());
        String where = "--credential '" + s + "': ";
        if (!Files.isRegularFile(p)) {
            throw new SecretSourceException(s.id(), where + "file " + p + " does not exist or is not a regular file");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        if (posix != null) {
            try {
                Set<PosixFilePermission> perms = posix.readAttributes().permissions();
                if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                    throw new SecretSourceException(s.id(), where + "file " + p + " is readable by every user of this"
                            + " machine; expected no access for others (chmod o-rwx " + p + ")");
                }
            } catch (IOException e) {
                throw new SecretSourceException(s.id(), where + "cannot read the permissions of " + p + ": " + e.getMessage(), e);
            }
        }
        byte[] buf = new byte[MAX_BYTES + 1];
        int n = 0;
        try (InputStream in = Files.newInputStream(p)) {
            for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0; ) {
                n += r;
            }
        } catch (IOException e) {
            Arrays.fill(buf, (byte) 0);
            throw new SecretSourceException(s.id(), where + "cannot read " + p + ": " + e.getMessage(), e);
        }
        if (n > MAX_BYTES) {
            Arrays.fill(buf, (byte) 0);
            throw new SecretSourceException(s.id(), where + "file " + p + " is larger than " + MAX_BYTES
                    + " bytes; expected a credential (token, key, password)");
        }
        int end = n;
        if (end > 0 && buf[end - 1] == '\n') {
            end--;
            if (end > 0 && buf[end - 1] == '\r') {
                end--;
            }
        }
        if (end == 0) {
            Arrays.fill(buf, (byte) 0);
            throw new SecretSourceException(s.id(), where + "file " + p + " is empty; expected the credential's value");
        }
        byte[] value = Arrays.copyOf(buf, end);
        Arrays.fill(buf, (byte) 0);
        return SecretValue.ofOwned(value);
    }

    @Override
    public Set<String> ids() {
        return Set.copyOf(specs.keySet());
    }

    /** What is configured, without values (for logs). */
    @Override
    public String toString() {
        return "CliSecretSource" + specs.values();
    }
}
