package io.jenkins.plugins.agentgate.core.credentials;

import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues, tracks, injects and revokes the credential leases of one run. The only place that holds secret
 * values; every value it issues is added to its {@link SecretMasker} before anything can print it.
 *
 * <p>Life of a run (see docs/credentials.md for the orchestrator's sequence):
 * {@link #leaseAll} → {@link #secretEnvironment()} + {@link #plainEnvironment()} into the sandbox spec →
 * wrap output with {@link #masker()} → after start {@link #injectFiles} (schedules removal at TTL) →
 * {@link #revokeAll} at step end, in a {@code finally} → evidence from {@link #records()} and
 * {@code masker().mask(..)} → {@link #close()}.
 */
public final class LeaseBroker implements AutoCloseable {
    /** The sandbox's secret tmpfs (mode 0700, owned by the sandbox user, noexec). */
    public static final String SECRET_DIR = "/run/agentgate/secrets";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    // Names a credential must not take over: they steer the dynamic linker, the shell or Agent Gate itself.
    private static final Set<String> RESERVED_ENV = Set.of("PATH", "HOME", "USER", "SHELL", "PWD", "HOSTNAME", "TERM",
            "IFS", "ENV", "BASH_ENV", "TMPDIR", "LANG");

    private final String runId;
    private final SecretSource source;
    private final Clock clock;
    private final SecretMasker masker = new SecretMasker();
    private final byte[] fingerprintKey = new byte[32];
    private final Map<String, Lease> leases = new LinkedHashMap<>();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private SecretFileChannel files;
    private boolean closed;

    /**
     * @param runId  the run the leases belong to (their scope)
     * @param source where values come from
     * @param clock  time for issue and expiry (tests pass a fixed clock)
     */
    public LeaseBroker(String runId, SecretSource source, Clock clock) {
        this.runId = runId;
        this.source = source;
        this.clock = clock;
        new SecureRandom().nextBytes(fingerprintKey);
    }

    /**
     * Leases every grant, or none: when one cannot be issued, those already issued are revoked and the error
     * names the credential.
     */
    public synchronized List<Lease> leaseAll(List<CredentialGrant> grants) throws CredentialException {
        List<Lease> issued = new ArrayList<>();
        try {
            for (CredentialGrant g : grants) {
                issued.add(lease(g));
            }
        } catch (CredentialException | RuntimeException e) {
            for (Lease l : issued) {
                revoke(l, "lease of another credential failed");
            }
            throw e;
        }
        return issued;
    }

    /** Leases one granted credential, resolving its value from the {@link SecretSource}. */
    public synchronized Lease lease(CredentialGrant grant) throws CredentialException {
        checkGrant(grant);
        SecretValue value;
        try {
            value = source.resolve(grant.id());
        } catch (SecretSourceException e) {
            throw new CredentialException(grant.id(), e.getMessage(), e);
        }
        return issue(grant, "run:" + runId, value, null);
    }

    /**
     * Mints a token for {@code audience} valid for the grant's TTL and leases it like a secret (masked, injected,
     * revoked). The token's own expiry is the lease's expiry.
     */
    public synchronized Lease leaseToken(CredentialGrant grant, TokenIssuer issuer, String audience) throws CredentialException {
        checkGrant(grant);
        MintedToken t = issuer.mint(runId, audience, grant.ttl());
        return issue(grant, audience, SecretValue.ofOwned(t.serialized().getBytes(StandardCharsets.US_ASCII)), t.tokenId());
    }

    private void checkGrant(CredentialGrant grant) throws CredentialException {
        if (closed) {
            throw new IllegalStateException("lease broker of run " + runId + " is closed");
        }
        if (grant.id() == null || !ID.matcher(grant.id()).matches()) {
            throw new CredentialException(grant.id(), "credential id '" + grant.id() + "' is not usable as a lease name;"
                    + " expected letters, digits, '.', '_' or '-' (starting with a letter or digit, at most 128)");
        }
        if (leases.containsKey(grant.id())) {
            throw new CredentialException(grant.id(), "credential '" + grant.id() + "' is already leased in run " + runId);
        }
        if (grant.ttl() == null || grant.ttl().isNegative() || grant.ttl().isZero()) {
            throw new CredentialException(grant.id(), "credential '" + grant.id() + "': TTL " + grant.ttl()
                    + " is not usable; expected a positive duration");
        }
        if (grant.mode() == null) {
            throw new CredentialException(grant.id(), "credential '" + grant.id() + "' has no injection mode; expected env or file");
        }
    }

    private Lease issue(CredentialGrant grant, String scope, SecretValue value, String tokenId) throws CredentialException {
        byte[] bytes = value.bytes();
        try {
            if (bytes.length < SecretMasker.MIN_SECRET_BYTES) {
                value.close();
                throw new CredentialException(grant.id(), "credential '" + grant.id() + "' is " + bytes.length
                        + " bytes long; expected at least " + SecretMasker.MIN_SECRET_BYTES
                        + " bytes, because shorter values cannot be masked in output without masking ordinary text");
            }
            if (grant.mode() == InjectionMode.ENV && !envSafe(bytes)) {
                value.close();
                throw new CredentialException(grant.id(), "credential '" + grant.id() + "' is not valid UTF-8 text without"
                        + " NUL bytes, so it cannot travel in an environment variable; expected file injection for binary values");
            }
            String target = grant.mode() == InjectionMode.ENV ? envName(grant.id()) : SECRET_DIR + "/" + grant.id();
            for (Lease other : leases.values()) {
                if (other.target().equals(target) || (other.mode() == InjectionMode.FILE && fileEnvName(other).equals(target))) {
                    value.close();
                    throw new CredentialException(grant.id(), "credential '" + grant.id() + "' would use " + target
                            + ", which credential '" + other.credentialId() + "' already uses; rename one of them");
                }
            }
            // Masking first: from here on, no output can show the value.
            masker.add(bytes);
            Lease l = new Lease(grant.id(), scope, grant.ttl(), grant.mode(), target, clock.instant(),
                    fingerprint(bytes), tokenId, value);
            leases.put(grant.id(), l);
            return l;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static boolean envSafe(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** {@code github-token} → {@code GITHUB_TOKEN}. */
    static String envName(String credentialId) throws CredentialException {
        String n = credentialId.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
        if (Character.isDigit(n.charAt(0))) {
            n = "_" + n;
        }
        if (RESERVED_ENV.contains(n) || n.startsWith("LD_") || n.startsWith("AGENTGATE_")) {
            throw new CredentialException(credentialId, "credential '" + credentialId + "' would set environment variable "
                    + n + ", which is reserved; use file injection or another id");
        }
        return n;
    }

    private static String fileEnvName(Lease fileLease) {
        return fileLease.credentialId().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_") + "_FILE";
    }

    private String fingerprint(byte[] bytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(fingerprintKey, "HmacSHA256"));
            byte[] h = mac.doFinal(bytes);
            return "hmac-sha256:" + HexFormat.of().formatHex(h, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * Values of env-mode leases, name → value, for the sandbox's {@code secretEnv} (names on argv, values only
     * through the container client's environment). Empty once revoked.
     */
    public synchronized Map<String, String> secretEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Lease l : leases.values()) {
            if (l.mode() == InjectionMode.ENV && l.revokedAt == null) {
                env.put(l.target(), l.value.utf8());
            }
        }
        return env;
    }

    /** Non-secret variables: for each file-mode lease, {@code <NAME>_FILE} → its path in the sandbox. */
    public synchronized Map<String, String> plainEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Lease l : leases.values()) {
            if (l.mode() == InjectionMode.FILE) {
                env.put(fileEnvName(l), l.target());
            }
        }
        return env;
    }

    /** Whether any lease is file-mode (the sandbox then needs its secret tmpfs and {@link #injectFiles}). */
    public synchronized boolean hasFileLeases() {
        return leases.values().stream().anyMatch(l -> l.mode() == InjectionMode.FILE);
    }

    /**
     * Writes every file-mode secret into the started sandbox and schedules its removal when its TTL runs out.
     * A lease that has already expired is not written (and is recorded as expired).
     *
     * @param channel   writes and removes files in the sandbox
     * @param scheduler runs {@link #expireDue()} at each expiry; null to call it yourself
     * @throws CredentialException when a file cannot be written (the caller should fail the run; revokeAll cleans up)
     */
    public synchronized void injectFiles(SecretFileChannel channel, ScheduledExecutorService scheduler) throws CredentialException {
        if (closed) {
            throw new IllegalStateException("lease broker of run " + runId + " is closed");
        }
        this.files = channel;
        Instant now = clock.instant();
        for (Lease l : leases.values()) {
            if (l.mode() != InjectionMode.FILE || l.revokedAt != null || l.fileWrittenAt != null) {
                continue;
            }
            if (!now.isBefore(l.expiresAt())) {
                l.expired = true;
                continue;
            }
            byte[] bytes = l.value.bytes();
            try {
                channel.write(l.target(), bytes);
                l.fileWrittenAt = clock.instant();
            } catch (IOException e) {
                throw new CredentialException(l.credentialId(), masker.mask(e.getMessage()), e);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
            if (scheduler != null) {
                long delay = Math.max(0, Duration.between(now, l.expiresAt()).toMillis());
                timers.add(scheduler.schedule(this::expireDueQuietly, delay, TimeUnit.MILLISECONDS));
            }
        }
    }

    private void expireDueQuietly() {
        try {
            expireDue();
        } catch (RuntimeException e) {
            // A failed removal is retried at revocation; the scheduler thread must not die.
        }
    }

    /**
     * Marks leases past their expiry as expired and removes their files from the sandbox. Idempotent.
     *
     * @return the credential ids that expired in this call
     */
    public synchronized List<String> expireDue() {
        List<String> done = new ArrayList<>();
        Instant now = clock.instant();
        for (Lease l : leases.values()) {
            if (l.revokedAt != null || now.isBefore(l.expiresAt())) {
                continue;
            }
            if (!l.expired) {
                l.expired = true;
                done.add(l.credentialId());
            }
            if (l.mode() == InjectionMode.FILE && l.fileWrittenAt != null && l.fileRemovedAt == null && files != null) {
                try {
                    files.remove(l.target());
                    l.fileRemovedAt = clock.instant();
                } catch (IOException e) {
                    // Left for revokeAll, which retries and reports.
                }
            }
        }
        return done;
    }

    /**
     * Revokes every lease: cancels expiry timers, removes secret files still in the sandbox, wipes values.
     * Idempotent; call it in a {@code finally} at step end, on success and failure alike. Masking stays active
     * (a revoked value is no less secret) until {@link #close()}.
     *
     * @return problems met (e.g. a file that could not be removed because the container is gone), masked
     */
    public synchronized List<String> revokeAll(String reason) {
        for (ScheduledFuture<?> t : timers) {
            t.cancel(false);
        }
        timers.clear();
        List<String> problems = new ArrayList<>();
        for (Lease l : leases.values()) {
            if (l.revokedAt != null) {
                continue;
            }
            if (l.mode() == InjectionMode.FILE && l.fileWrittenAt != null && l.fileRemovedAt == null && files != null) {
                try {
                    files.remove(l.target());
                    l.fileRemovedAt = clock.instant();
                } catch (IOException e) {
                    problems.add(masker.mask("credential '" + l.credentialId() + "': " + e.getMessage()));
                }
            }
            revoke(l, reason);
        }
        return problems;
    }

    private void revoke(Lease l, String reason) {
        l.revokedAt = clock.instant();
        l.revokeReason = masker.mask(reason);
        l.value.close();
    }

    /** Lease records for evidence, in the order issued. */
    public synchronized List<LeaseRecord> records() {
        return leases.values().stream().map(Lease::record).toList();
    }

    /** Masks every value this broker issued, and its encodings. */
    public SecretMasker masker() {
        return masker;
    }

    public String runId() {
        return runId;
    }

    /** Revokes what is left, forgets the masking patterns and wipes the fingerprint key. Write evidence first. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        revokeAll("broker closed");
        masker.clear();
        Arrays.fill(fingerprintKey, (byte) 0);
        closed = true;
    }

    /** Rejects any path outside the secret tmpfs, or one that could climb out of it. */
    static void checkSecretPath(String path) {
        String prefix = SECRET_DIR + "/";
        if (path == null || !path.startsWith(prefix) || !ID.matcher(path.substring(prefix.length())).matches()) {
            throw new IllegalArgumentException("secret file path '" + path + "' is not allowed; expected " + prefix
                    + "<credential id> (letters, digits, '.', '_' or '-')");
        }
    }
}
