package io.jenkins.plugins.agentgate.core.approval;

import static io.jenkins.plugins.agentgate.core.approval.Fixtures.T0;
import static io.jenkins.plugins.agentgate.core.approval.Fixtures.approve;
import static io.jenkins.plugins.agentgate.core.approval.Fixtures.bypass;
import static io.jenkins.plugins.agentgate.core.approval.Fixtures.dual;
import static io.jenkins.plugins.agentgate.core.approval.Fixtures.owner;
import static io.jenkins.plugins.agentgate.core.approval.Fixtures.reject;
import static io.jenkins.plugins.agentgate.core.approval.Fixtures.request;
import static io.jenkins.plugins.agentgate.core.approval.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.profile.ApprovalMode;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.core.profile.Approvers;
import io.jenkins.plugins.agentgate.core.profile.Blackout;
import io.jenkins.plugins.agentgate.core.profile.TaskTemplate;
import io.jenkins.plugins.agentgate.core.profile.TimeWindow;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ApprovalEngineTest {
    private static final ApprovalEngine INSENSITIVE = ApprovalEngine.LOCAL;
    private static final ApprovalEngine SENSITIVE =
            new ApprovalEngine(IdStrategy.CASE_SENSITIVE, IdStrategy.CASE_SENSITIVE, GroupDirectory.ASSERTED);
    private static final Instant NOW = T0.plus(Duration.ofHours(1));

    private static ApprovalStatus eval(ApprovalEngine engine, ApprovalRule rule, ApprovalRequest r, LedgerEntry... entries) {
        return engine.evaluate(rule, List.of(), r, TaskFacts.none(), List.of(entries), NOW);
    }

    private static List<ApprovalEvent> events(ApprovalStatus s) {
        return s.records().stream().map(ApprovalRecord::event).toList();
    }

    @Nested
    class Delivery {
        ApprovalRequest r = request(ExecutionClass.DELIVERY, "carol");
        ApprovalRule rule = owner(List.of("alice"), List.of("release"));

        @Test
        void oneOwnerApprovalApproves() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(s.allowed()).isTrue();
            assertThat(s.via()).isEqualTo(ApprovedVia.APPROVERS);
            assertThat(s.approvers()).containsExactly("alice");
            assertThat(s.requestDigest()).isEqualTo(r.digest());
            assertThat(s.records()).singleElement().satisfies(rec -> {
                assertThat(rec.event()).isEqualTo(ApprovalEvent.APPROVE);
                assertThat(rec.identity()).isEqualTo("alice");
                assertThat(rec.at()).isEqualTo(T0);
                assertThat(rec.requestDigest()).isEqualTo(r.digest());
                assertThat(rec.comment()).isEqualTo("looks right");
                assertThat(rec.counted()).isTrue();
            });
        }

        @Test
        void approvalThroughAnOwnerGroupApproves() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "dave", T0, "Release"));
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(s.records().get(0).reason()).contains("through group release");
        }

        @Test
        void noDecisionIsPendingAndSaysWhatIsMissing() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r);
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.allowed()).isFalse();
            assertThat(s.message()).isEqualTo(
                    "needs 1 more approval from owners {users: alice; groups: release} (requester carol excluded)");
        }

        @Test
        void selfApprovalIsRefused() {
            ApprovalRule alsoCarol = owner(List.of("alice", "carol"), List.of());
            ApprovalStatus s = eval(INSENSITIVE, alsoCarol, r, approve(r, "carol", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(events(s)).containsExactly(ApprovalEvent.REFUSED);
            assertThat(s.records().get(0).reason()).contains("carol requested this run and cannot approve it");
            assertThat(s.message()).contains("not counted: carol");
        }

        @Test
        void selfApprovalInAnotherLetterCaseIsRefusedUnderTheCaseInsensitiveStrategy() {
            ApprovalRule alsoCarol = owner(List.of("alice", "CAROL"), List.of());
            ApprovalStatus s = eval(INSENSITIVE, alsoCarol, r, approve(r, "CaRoL", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(0).reason()).contains("requested this run");
        }

        @Test
        void selfApprovalThroughAGroupIsRefused() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "carol", T0, "release"));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(0).event()).isEqualTo(ApprovalEvent.REFUSED);
        }

        @Test
        void unknownUserIsRefusedWithTheApproverSet() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "mallory", T0, "developers"));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(0).event()).isEqualTo(ApprovalEvent.REFUSED);
            assertThat(s.records().get(0).reason()).isEqualTo(
                    "mallory is not in the approver set {users: alice; groups: release} (groups recorded: developers)");
        }

        @Test
        void underTheCaseSensitiveStrategyAnotherLetterCaseIsAnotherUser() {
            ApprovalStatus s = eval(SENSITIVE, rule, r, approve(r, "Alice", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(0).reason()).contains("Alice is not in the approver set");
            assertThat(eval(SENSITIVE, rule, r, approve(r, "alice", T0)).state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(eval(SENSITIVE, rule, r, approve(r, "dave", T0, "Release")).state()).isEqualTo(ApprovalState.PENDING);
        }

        @Test
        void rejectionAfterOneApprovalRefusesTheRequest() {
            ApprovalRule two = owner(List.of("alice", "bob"), List.of());
            ApprovalStatus s = eval(INSENSITIVE, two, r, approve(r, "alice", T0),
                    reject(r, "bob", T0.plusSeconds(60), "wrong database"));
            assertThat(s.state()).isEqualTo(ApprovalState.REJECTED);
            assertThat(s.allowed()).isFalse();
            assertThat(s.rejectedBy()).isEqualTo("bob");
            assertThat(s.comment()).isEqualTo("wrong database");
            assertThat(s.message()).contains("rejected by bob").contains("wrong database");
            assertThat(events(s)).containsExactly(ApprovalEvent.APPROVE, ApprovalEvent.REJECT);
        }

        @Test
        void rejectionByAnUnknownUserIsRefusedAndDoesNotBlock() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, reject(r, "mallory", T0, "no"), approve(r, "alice", T0.plusSeconds(1)));
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(events(s)).containsExactly(ApprovalEvent.REFUSED, ApprovalEvent.APPROVE);
        }

        @Test
        void approvalAfterExpiryIsRefused() {
            LedgerEntry old = approve(r, "alice", NOW.minus(Duration.ofHours(24)));
            ApprovalStatus s = eval(INSENSITIVE, rule, r, old);
            assertThat(s.state()).isEqualTo(ApprovalState.EXPIRED);
            assertThat(s.allowed()).isFalse();
            assertThat(events(s)).containsExactly(ApprovalEvent.EXPIRED);
            assertThat(s.message()).contains("expired");
            // one second younger still counts
            assertThat(eval(INSENSITIVE, rule, r, approve(r, "alice", NOW.minus(Duration.ofHours(24)).plusSeconds(1))).state())
                    .isEqualTo(ApprovalState.APPROVED);
        }

        @Test
        void staleDigestIsRefused() {
            ApprovalRequest earlier = request(ExecutionClass.DELIVERY, "carol");
            ApprovalRequest changed = new ApprovalRequest(earlier.executionClass(), earlier.profile(), earlier.promptHash(),
                    "sha256:" + "b".repeat(64), earlier.credentials(), earlier.action(), earlier.requester(), earlier.createdAt());
            assertThat(changed.digest()).isNotEqualTo(earlier.digest());
            ApprovalStatus s = eval(INSENSITIVE, rule, changed, approve(earlier, "alice", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.STALE);
            assertThat(s.allowed()).isFalse();
            assertThat(s.records()).singleElement().satisfies(rec -> {
                assertThat(rec.event()).isEqualTo(ApprovalEvent.STALE);
                assertThat(rec.requestDigest()).isEqualTo(earlier.digest());
                assertThat(rec.counted()).isFalse();
            });
            assertThat(s.message()).contains("the request changed").contains("needs 1 more approval");
        }

        @Test
        void aStaleRejectionDoesNotBlockTheNewRequest() {
            ApprovalRequest earlier = request(ExecutionClass.DELIVERY, "carol");
            ApprovalRequest changed = new ApprovalRequest(earlier.executionClass(), earlier.profile(), earlier.promptHash(),
                    null, List.of(), earlier.action(), earlier.requester(), earlier.createdAt());
            ApprovalStatus s = eval(INSENSITIVE, rule, changed, reject(earlier, "alice", T0, "too wide"),
                    approve(changed, "alice", T0.plusSeconds(5)));
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(events(s)).containsExactly(ApprovalEvent.STALE, ApprovalEvent.APPROVE);
        }

        @Test
        void decisionDatedAfterNowIsRefused() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", NOW.plusSeconds(1)));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(0).reason()).contains("after the evaluation time");
        }

        @Test
        void adminBypassWhereNotAllowedIsRefused() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, bypass(r, "root", T0, true));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(0).event()).isEqualTo(ApprovalEvent.REFUSED);
            assertThat(s.records().get(0).reason()).contains("administrator bypass is not allowed");
        }

        @Test
        void adminBypassWhereAllowedApprovesAndIsRecordedAsABypass() {
            ApprovalStatus s = eval(INSENSITIVE, with(rule, List.of(), List.of(), true), r, bypass(r, "root", T0, true));
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(s.via()).isEqualTo(ApprovedVia.BYPASS);
            assertThat(s.approvers()).containsExactly("root");
            assertThat(events(s)).containsExactly(ApprovalEvent.BYPASS);
            assertThat(s.records().get(0).comment()).isEqualTo("incident 42");
        }

        @Test
        void bypassByANonAdministratorIsRefusedEvenWhereAllowed() {
            ApprovalStatus s = eval(INSENSITIVE, with(rule, List.of(), List.of(), true), r, bypass(r, "alice", T0, false));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(0).reason()).contains("not an administrator");
        }

        @Test
        void theRequesterCannotBypassTheirOwnRequest() {
            ApprovalStatus s = eval(INSENSITIVE, with(rule, List.of(), List.of(), true), r, bypass(r, "Carol", T0, true));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(0).reason()).contains("requested this run");
        }

        @Test
        void aRuleWithoutApproversSaysAnAdministratorMustConfigureThem() {
            ApprovalRule empty = new ApprovalRule(ApprovalMode.OWNER, Approvers.none(), false, Duration.ofHours(1), List.of(),
                    List.of(), false);
            ApprovalStatus s = eval(INSENSITIVE, empty, r, approve(r, "alice", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.message()).contains("names no approvers");
            assertThat(s.records().get(0).reason()).contains("nobody can approve; an administrator must configure approvers");
        }
    }

    @Nested
    class DualControl {
        ApprovalRequest r = request(ExecutionClass.PRIVILEGED, "carol");
        ApprovalRule rule = dual(List.of("alice", "bob", "erin"), List.of("sre", "security"), false);

        @Test
        void twoDistinctApproversApprove() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", T0), approve(r, "bob", T0.plusSeconds(1)));
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(s.approvers()).containsExactly("alice", "bob");
        }

        @Test
        void oneApprovalIsPending() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.message()).startsWith("needs 1 more approval from distinct approvers").contains("approved so far: alice");
        }

        @Test
        void theSamePersonTwiceCountsOnce() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", T0), approve(r, "alice", T0.plusSeconds(1)));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(events(s)).containsExactly(ApprovalEvent.APPROVE, ApprovalEvent.REFUSED);
            assertThat(s.records().get(1).reason()).contains("the same person counts once");
        }

        @Test
        void theSamePersonInAnotherLetterCaseCountsOnce() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", T0), approve(r, "ALICE", T0.plusSeconds(1)));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(1).event()).isEqualTo(ApprovalEvent.REFUSED);
        }

        @Test
        void theSamePersonOnceAsUserAndOnceThroughAGroupCountsOnce() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", T0), approve(r, "Alice", T0.plusSeconds(1), "sre"));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.records().get(1).event()).isEqualTo(ApprovalEvent.REFUSED);
        }

        @Test
        void theRequesterNeverCountsAsOneOfTheTwo() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", T0), approve(r, "carol", T0.plusSeconds(1), "sre"));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
        }

        @Test
        void distinctGroupsRefuseTwoApproversFromOneGroup() {
            ApprovalRule distinct = dual(List.of(), List.of("sre", "security"), true);
            ApprovalStatus s = eval(INSENSITIVE, distinct, r, approve(r, "dave", T0, "sre"), approve(r, "frank", T0.plusSeconds(1), "sre"));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.message()).contains("a group of {users: none; groups: security, sre} other than sre")
                    .contains("two distinct groups required");
            ApprovalStatus ok = eval(INSENSITIVE, distinct, r, approve(r, "dave", T0, "sre"),
                    approve(r, "frank", T0.plusSeconds(1), "security"));
            assertThat(ok.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(ok.approvers()).containsExactly("dave", "frank");
        }

        @Test
        void distinctGroupsPairAPersonInTwoGroupsWithAnother() {
            ApprovalRule distinct = dual(List.of(), List.of("sre", "security"), true);
            ApprovalStatus s = eval(INSENSITIVE, distinct, r, approve(r, "dave", T0, "sre", "security"),
                    approve(r, "frank", T0.plusSeconds(1), "sre"));
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
        }

        @Test
        void distinctGroupsIgnoreNamedUsersWithoutAGroup() {
            ApprovalRule distinct = dual(List.of("alice"), List.of("sre", "security"), true);
            ApprovalStatus s = eval(INSENSITIVE, distinct, r, approve(r, "alice", T0), approve(r, "frank", T0.plusSeconds(1), "sre"));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.message()).contains("do not count for distinct groups: alice");
        }

        @Test
        void oneExpiredApprovalOfTwoLeavesItPending() {
            ApprovalStatus s = eval(INSENSITIVE, rule, r, approve(r, "alice", NOW.minus(Duration.ofHours(5))),
                    approve(r, "bob", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(events(s)).containsExactly(ApprovalEvent.EXPIRED, ApprovalEvent.APPROVE);
        }

        @Test
        void startOutsideTheWindowIsRefusedWithTheNextOpening() {
            // Wednesday 11:00 UTC; the window is Mon-Fri 14:00-16:00 Europe/Berlin (13:00-15:00 UTC in November)
            TimeWindow w = new TimeWindow(List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
                    DayOfWeek.THURSDAY, DayOfWeek.FRIDAY), LocalTime.of(14, 0), LocalTime.of(16, 0), ZoneId.of("Europe/Berlin"));
            ApprovalRule windowed = with(rule, List.of(w), List.of(), false);
            ApprovalStatus s = eval(INSENSITIVE, windowed, r, approve(r, "alice", T0), approve(r, "bob", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.OUTSIDE_WINDOW);
            assertThat(s.allowed()).isFalse();
            assertThat(s.via()).isEqualTo(ApprovedVia.APPROVERS);
            assertThat(s.nextOpening()).isEqualTo(Instant.parse("2026-11-25T13:00:00Z"));
            assertThat(events(s)).endsWith(ApprovalEvent.WAITING_FOR_WINDOW);
            assertThat(s.message()).contains("next opening 2026-11-25T13:00:00Z");
            ApprovalStatus inside = INSENSITIVE.evaluate(windowed, List.of(), r, TaskFacts.none(),
                    List.of(approve(r, "alice", T0), approve(r, "bob", T0)), Instant.parse("2026-11-25T13:30:00Z"));
            assertThat(inside.state()).isEqualTo(ApprovalState.APPROVED);
        }

        @Test
        void approvalsThatLapseBeforeTheWindowOpensAreNamed() {
            TimeWindow w = new TimeWindow(List.of(DayOfWeek.SATURDAY), LocalTime.of(2, 0), LocalTime.of(4, 0), ZoneId.of("UTC"));
            ApprovalStatus s = eval(INSENSITIVE, with(rule, List.of(w), List.of(), false), r, approve(r, "alice", T0),
                    approve(r, "bob", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.OUTSIDE_WINDOW);
            assertThat(s.message()).contains("approvals expire before then: alice at 2026-11-25T14:00:00Z");
        }

        @Test
        void startInsideABlackoutIsRefused() {
            Blackout freeze = new Blackout(LocalDateTime.parse("2026-11-25T00:00"), LocalDateTime.parse("2026-11-26T00:00"),
                    ZoneId.of("America/New_York"), "release freeze");
            ApprovalStatus s = eval(INSENSITIVE, with(rule, List.of(), List.of(freeze), false), r, approve(r, "alice", T0),
                    approve(r, "bob", T0));
            assertThat(s.state()).isEqualTo(ApprovalState.IN_BLACKOUT);
            assertThat(s.allowed()).isFalse();
            assertThat(s.nextOpening()).isEqualTo(Instant.parse("2026-11-26T05:00:00Z"));
            assertThat(s.message()).contains("release freeze");
            assertThat(events(s)).endsWith(ApprovalEvent.IN_BLACKOUT);
        }

        @Test
        void aTemplateNeverStandsInForDualControl() {
            TaskTemplate any = new TaskTemplate("anything", "", List.of(ExecutionClass.PRIVILEGED), ".*", List.of());
            ApprovalStatus s = INSENSITIVE.evaluate(rule, List.of(any), r, TaskFacts.prompt(Fixtures.PROMPT), List.of(), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
        }

        @Test
        void bypassStillWaitsForTheWindow() {
            TimeWindow w = new TimeWindow(List.of(DayOfWeek.SUNDAY), LocalTime.of(1, 0), LocalTime.of(3, 0), ZoneId.of("UTC"));
            ApprovalStatus s = eval(INSENSITIVE, with(rule, List.of(w), List.of(), true), r, bypass(r, "root", T0, true));
            assertThat(s.state()).isEqualTo(ApprovalState.OUTSIDE_WINDOW);
            assertThat(s.via()).isEqualTo(ApprovedVia.BYPASS);
        }
    }

    @Nested
    class TemplatesAndNone {
        ApprovalRequest r = request(ExecutionClass.DRAFT, "carol");
        ApprovalRule templateRule = new ApprovalRule(ApprovalMode.TEMPLATE, Approvers.none(), false, Duration.ofHours(1),
                List.of(), List.of(), false);
        TaskTemplate rotate = new TaskTemplate("rotate-staging", "", List.of(ExecutionClass.DRAFT), "Rotate the staging .*",
                List.of("docs/**", "README.md"));

        @Test
        void aMatchingTemplateApprovesAndIsRecorded() {
            ApprovalStatus s = INSENSITIVE.evaluate(templateRule, List.of(rotate), r,
                    new TaskFacts(Fixtures.PROMPT, List.of("docs/a/b.md", "README.md")), List.of(), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(s.via()).isEqualTo(ApprovedVia.TEMPLATE);
            assertThat(s.template()).isEqualTo("rotate-staging");
            assertThat(s.records()).singleElement().satisfies(rec -> {
                assertThat(rec.event()).isEqualTo(ApprovalEvent.TEMPLATE);
                assertThat(rec.identity()).isEqualTo("template:rotate-staging");
            });
        }

        @Test
        void thePatternMustMatchTheWholeText() {
            TaskTemplate partial = new TaskTemplate("partial", "", List.of(ExecutionClass.DRAFT), "Rotate", List.of());
            ApprovalStatus s = INSENSITIVE.evaluate(templateRule, List.of(partial), r, TaskFacts.prompt(Fixtures.PROMPT), List.of(), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.message()).contains("does not match the pattern Rotate");
        }

        @Test
        void aFileOutsideThePathScopeDoesNotMatch() {
            ApprovalStatus s = INSENSITIVE.evaluate(templateRule, List.of(rotate), r,
                    new TaskFacts(Fixtures.PROMPT, List.of("docs/x.md", "src/Main.java")), List.of(), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.message()).contains("[src/Main.java] outside its path scope");
        }

        @Test
        void unknownFilesLeaveThePathScopeToTheRunAndSaySo() {
            ApprovalStatus s = INSENSITIVE.evaluate(templateRule, List.of(rotate), r, TaskFacts.prompt(Fixtures.PROMPT), List.of(), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(s.records().get(0).reason()).contains("to be checked against the files the run touches");
            assertThat(Templates.outsideScope(rotate, List.of("docs/ok.md", "../escape.md", "/etc/passwd", "docs/../src/x")))
                    .containsExactly("../escape.md", "/etc/passwd", "docs/../src/x");
        }

        @Test
        void aTaskTextThatDoesNotHashToThePromptHashNeverMatches() {
            ApprovalStatus s = INSENSITIVE.evaluate(templateRule, List.of(rotate), r,
                    TaskFacts.prompt("Rotate the staging database password and drop production"), List.of(), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(s.message()).contains("does not hash to the request's prompt hash");
        }

        @Test
        void aTemplateForAnotherClassDoesNotApply() {
            ApprovalRequest delivery = request(ExecutionClass.DELIVERY, "carol");
            ApprovalStatus s = INSENSITIVE.evaluate(templateRule, List.of(rotate), delivery, TaskFacts.prompt(Fixtures.PROMPT),
                    List.of(), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.PENDING);
        }

        @Test
        void aRejectionOutweighsAMatchingTemplate() {
            ApprovalRule withOwner = new ApprovalRule(ApprovalMode.TEMPLATE, new Approvers(List.of("alice"), List.of()), false,
                    Duration.ofHours(1), List.of(), List.of(), false);
            ApprovalStatus s = INSENSITIVE.evaluate(withOwner, List.of(rotate), r, TaskFacts.prompt(Fixtures.PROMPT),
                    List.of(reject(r, "alice", T0, "not now")), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.REJECTED);
        }

        @Test
        void inModeNoneOnlyAnAdministratorOrTheApproverSetCanReject() {
            ApprovalStatus anyone = INSENSITIVE.evaluate(ApprovalRule.none(), List.of(), r, TaskFacts.none(),
                    List.of(reject(r, "mallory", T0, "no")), NOW);
            assertThat(anyone.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(anyone.records().get(0).event()).isEqualTo(ApprovalEvent.REFUSED);
            LedgerEntry admin = new LedgerEntry(DecisionKind.REJECT, "root", List.of(), true, T0, r.digest(), "freeze");
            assertThat(INSENSITIVE.evaluate(ApprovalRule.none(), List.of(), r, TaskFacts.none(), List.of(admin), NOW).state())
                    .isEqualTo(ApprovalState.REJECTED);
        }

        @Test
        void modeNoneApprovesAndRecordsThatNothingWasRequired() {
            ApprovalStatus s = INSENSITIVE.evaluate(ApprovalRule.none(), List.of(), r, TaskFacts.none(), List.of(), NOW);
            assertThat(s.state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(s.via()).isEqualTo(ApprovedVia.NOT_REQUIRED);
            assertThat(events(s)).containsExactly(ApprovalEvent.NOT_REQUIRED);
        }
    }
}
