package io.jenkins.plugins.agentgate.core.approval;

import java.util.Locale;
import java.util.Objects;

/**
 * How user and group ids compare. The case rules belong to the security realm (Jenkins'
 * {@code SecurityRealm.getUserIdStrategy()} / {@code getGroupIdStrategy()}); the engine never guesses.
 * Two ids name the same principal exactly when their keys are equal.
 */
@FunctionalInterface
public interface IdStrategy {
    /** Ids are exact strings: {@code Alice} and {@code alice} are two people. */
    IdStrategy CASE_SENSITIVE = id -> id;
    /** Ids ignore letter case ({@code Locale.ROOT} lower case): Jenkins' own user database works so. */
    IdStrategy CASE_INSENSITIVE = id -> id.toLowerCase(Locale.ROOT);

    /** The comparison key of an id. */
    String keyFor(String id);

    default boolean same(String a, String b) {
        return Objects.equals(a == null ? null : keyFor(a), b == null ? null : keyFor(b));
    }
}
