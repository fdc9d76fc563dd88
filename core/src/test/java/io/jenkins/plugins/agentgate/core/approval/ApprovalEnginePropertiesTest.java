package io.jenkins.plugins.agentgate.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the ledger holds, dual control never approves without two distinct eligible people, neither the requester. */
class ApprovalEnginePropertiesTest {
    private static final ApprovalRequest REQUEST = Fixtures.request(ExecutionClass.PRIVILEGED, "carol");
    private static final ApprovalRequest OTHER = new ApprovalRequest(REQUEST.executionClass(), REQUEST.profile(),
            REQUEST.promptHash(), "sha256:" + "e".repeat(64), REQUEST.credentials(), REQUEST.action(), "carol", REQUEST.createdAt());
    private static final Instant NOW = Fixtures.T0.plus(Duration.ofHours(6));
    private static final List<String> PEOPLE = List.of("alice", "bob", "carol", "dave", "mallory");
    private static final List<String> GROUPS = List.of("sre", "security", "developers");

    @Provide
    Arbitrary<List<LedgerEntry>> ledgers() {
        return entries().list().ofMaxSize(8);
    }

    Arbitrary<LedgerEntry> entries() {
        Arbitrary<String> who = Arbitraries.of(PEOPLE).flatMap(p -> Arbitraries.of(p, p.toUpperCase(Locale.ROOT),
                Character.toUpperCase(p.charAt(0)) + p.substring(1)));
        return Combinators.combine(Arbitraries.of(DecisionKind.APPROVE, DecisionKind.APPROVE, DecisionKind.APPROVE,
                        DecisionKind.REJECT, DecisionKind.BYPASS), who, Arbitraries.of(GROUPS).set().ofMaxSize(2),
                        Arbitraries.integers().between(0, 7 * 60), Arbitraries.of(true, false), Arbitraries.of(REQUEST, REQUEST, OTHER))
                .as((kind, person, groups, minutesAgo, admin, req) -> new LedgerEntry(kind, person, List.copyOf(groups),
                        admin, NOW.minus(Duration.ofMinutes(minutesAgo)), req.digest(), ""));
    }

    @Property(tries = 250)
    void dualControlNeedsTwoDistinctEligiblePeopleNeitherTheRequester(
            @ForAll("ledgers") List<LedgerEntry> ledger, @ForAll boolean distinctGroups, @ForAll boolean bypassAllowed) {
        ApprovalRule rule = Fixtures.with(Fixtures.dual(List.of("alice"), List.of("sre", "security"), distinctGroups),
                List.of(), List.of(), bypassAllowed);
        ApprovalStatus s = ApprovalEngine.LOCAL.evaluate(rule, List.of(), REQUEST, TaskFacts.none(), ledger, NOW);
        if (!s.allowed()) {
            return;
        }
        if (s.via() == ApprovedVia.BYPASS) {
            assertThat(bypassAllowed).isTrue();
            LedgerEntry b = ledger.stream().filter(e -> e.decision() == DecisionKind.BYPASS && e.admin()
                    && e.requestDigest().equals(REQUEST.digest()) && e.identity().equalsIgnoreCase(s.approvers().get(0)))
                    .findFirst().orElseThrow();
            assertThat(b.identity()).isNotEqualToIgnoringCase("carol");
            return;
        }
        assertThat(s.via()).isEqualTo(ApprovedVia.APPROVERS);
        assertThat(s.approvers()).hasSizeGreaterThanOrEqualTo(2);
        Set<String> keys = new HashSet<>();
        for (String a : s.approvers()) {
            assertThat(a).isNotEqualToIgnoringCase("carol");
            assertThat(keys.add(a.toLowerCase(Locale.ROOT))).as("distinct people: %s", s.approvers()).isTrue();
            assertThat(ledger).as("a valid approval by %s", a).anyMatch(x -> x.identity().equals(a)
                    && x.decision() == DecisionKind.APPROVE && x.requestDigest().equals(REQUEST.digest())
                    && x.at().plus(rule.expiry()).isAfter(NOW)
                    && (a.equalsIgnoreCase("alice") || x.groups().contains("sre") || x.groups().contains("security")));
        }
        assertThat(ledger).noneMatch(e -> e.decision() == DecisionKind.REJECT && e.requestDigest().equals(REQUEST.digest())
                && !e.identity().equalsIgnoreCase("carol") && !e.at().isAfter(NOW)
                && (e.identity().equalsIgnoreCase("alice") || e.groups().contains("sre") || e.groups().contains("security")));
    }

    @Property(tries = 150)
    void theOrderOfTheLedgerDoesNotChangeTheState(@ForAll("ledgers") List<LedgerEntry> ledger, @ForAll long seed) {
        ApprovalRule rule = Fixtures.dual(List.of("alice"), List.of("sre", "security"), true);
        List<LedgerEntry> shuffled = new ArrayList<>(ledger);
        Collections.shuffle(shuffled, new Random(seed));
        ApprovalStatus a = ApprovalEngine.LOCAL.evaluate(rule, List.of(), REQUEST, TaskFacts.none(), ledger, NOW);
        ApprovalStatus b = ApprovalEngine.LOCAL.evaluate(rule, List.of(), REQUEST, TaskFacts.none(), shuffled, NOW);
        assertThat(b.state()).isEqualTo(a.state());
    }
}
