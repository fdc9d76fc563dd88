package io.jenkins.plugins.agentgate.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * One JSON form for hashing and signing: keys sorted at every level, no insignificant whitespace, ISO-8601
 * durations and times, UTF-8. Equal values give equal bytes, whatever order or formatting they came in.
 */
public final class CanonicalJson {
    private static final ObjectMapper CANONICAL = configure(JsonMapper.builder()).build();
    private static final ObjectMapper PRETTY = configure(JsonMapper.builder()).build()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private CanonicalJson() {}

    private static JsonMapper.Builder configure(JsonMapper.Builder b) {
        return b.addModule(new JavaTimeModule())
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                // Hand-built ObjectNodes keep insertion order unless told otherwise.
                .enable(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.WRITE_PROPERTIES_SORTED)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The mapper behind the canonical form (sorted keys, ISO times); also fine for reading. */
    public static ObjectMapper mapper() {
        return CANONICAL;
    }

    public static byte[] bytes(Object value) {
        try {
            // A tree round trip sorts keys of nested maps and JsonNodes too, not only bean properties.
            return CANONICAL.writeValueAsBytes(CANONICAL.readTree(CANONICAL.writeValueAsBytes(value)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName() + " canonically", e);
        }
    }

    public static String string(Object value) {
        return new String(bytes(value), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Indented, key-sorted JSON for people (same content as the canonical form). */
    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(CANONICAL.readTree(CANONICAL.writeValueAsBytes(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
