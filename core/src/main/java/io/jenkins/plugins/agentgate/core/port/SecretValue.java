package io.jenkins.plugins.agentgate.core.port;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A secret's bytes, held in an array that {@link #close()} overwrites with zeros. Deliberately not a record:
 * {@link #toString()}, {@code equals} and {@code hashCode} never expose or derive from the value, so a value
 * cannot leak through logging, exception messages or debugger-friendly string conversions.
 *
 * <p>Wiping is best effort: the JVM may have copied the bytes (and environment variables must become a
 * {@code String} to reach a child process), but every copy this class hands out is the caller's to wipe.
 */
public final class SecretValue implements AutoCloseable {
    private final byte[] bytes;
    private volatile boolean wiped;

    private SecretValue(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Takes ownership of {@code bytes} (no copy): the caller must not keep using the array. */
    public static SecretValue ofOwned(byte[] bytes) {
        return new SecretValue(Objects.requireNonNull(bytes, "secret bytes"));
    }

    /** Encodes {@code chars} as UTF-8 without going through a {@code String}. */
    public static SecretValue ofUtf8(char[] chars) {
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            Arrays.fill(b.array(), (byte) 0);
        }
        return new SecretValue(out);
    }

    /** A copy of the bytes; the caller owns (and should wipe) it. */
    public byte[] bytes() {
        checkLive();
        return bytes.clone();
    }

    public int length() {
        checkLive();
        return bytes.length;
    }

    /**
     * The value as a UTF-8 string, for the one place that needs it: a child's environment. Strings cannot be
     * wiped, so call this only at the edge.
     */
    public String utf8() {
        checkLive();
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Constant-time comparison with another secret's bytes. */
    public boolean sameValueAs(SecretValue other) {
        checkLive();
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    public boolean wiped() {
        return wiped;
    }

    /** Overwrites the bytes with zeros; idempotent. */
    @Override
    public void close() {
        Arrays.fill(bytes, (byte) 0);
        wiped = true;
    }

    private void checkLive() {
        if (wiped) {
            throw new IllegalStateException("secret value was already wiped");
        }
    }

    @Override
    public String toString() {
        return "SecretValue[****]";
    }
}
