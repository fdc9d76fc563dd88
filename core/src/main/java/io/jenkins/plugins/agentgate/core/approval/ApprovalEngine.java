package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.profile.ApprovalMode;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.core.profile.Approvers;
import io.jenkins.plugins.agentgate.core.profile.Blackout;
import io.jenkins.plugins.agentgate.core.profile.TaskTemplate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides whether a request is approved, from the class's approval rule, the admins' templates and the ledger of
 * decisions. Pure: the same inputs give the same status and records; time comes in as {@code now}.
 *
 * <p>Order of checks: decisions on another digest are stale; then each decision on this digest is checked
 * (dated after {@code now}, by the requester, by someone outside the approver set, the same person again, expired,
 * bypass not allowed: each refused with its reason); one valid rejection refuses the request; otherwise the rule is
 * applied (none / template / one owner / two distinct approvers, optionally from two distinct groups, or an
 * allowed admin bypass); finally, a complete approval may start only outside blackouts and inside a window.
 */
public final class ApprovalEngine {
    /** Group ids compare case-insensitively and users too: the rules of Jenkins' own user database. */
    public static final ApprovalEngine LOCAL =
            new ApprovalEngine(IdStrategy.CASE_INSENSITIVE, IdStrategy.CASE_INSENSITIVE, GroupDirectory.ASSERTED);

    private static final Duration DEFAULT_EXPIRY = Duration.ofHours(24);

    private final IdStrategy userIds;
    private final IdStrategy groupIds;
    private final GroupDirectory directory;

    /**
     * @param userIds   how user ids compare (the security realm's user id strategy)
     * @param groupIds  how group ids compare (the security realm's group id strategy)
     * @param directory group memberships ({@link GroupDirectory#ASSERTED}: as the channel recorded them)
     */
    public ApprovalEngine(IdStrategy userIds, IdStrategy groupIds, GroupDirectory directory) {
        this.userIds = Objects.requireNonNull(userIds, "userIds");
        this.groupIds = Objects.requireNonNull(groupIds, "groupIds");
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * Evaluates a request.
     *
     * @param rule      the approval rule of the run's class profile
     * @param templates the catalog's templates
     * @param request   what is to be approved
     * @param facts     task text and files for template matching ({@link TaskFacts#none()} when there are none)
     * @param ledger    every recorded decision, any digest, any order
     * @param now       the evaluation time
     */
    public ApprovalStatus evaluate(ApprovalRule rule, List<TaskTemplate> templates, ApprovalRequest request, TaskFacts facts,
                                   List<LedgerEntry> ledger, Instant now) {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(now, "now");
        templates = templates == null ? List.of() : templates;
        facts = facts == null ? TaskFacts.none() : facts;
        ledger = ledger == null ? List.of() : ledger;
        String digest = request.digest();
        List<ApprovalRecord> records = new ArrayList<>();

        List<LedgerEntry> ordered = ledger.stream().sorted(Comparator.comparing(LedgerEntry::at)).toList();
        Map<String, Counted> approvals = new LinkedHashMap<>();
        LedgerEntry bypass = null;
        LedgerEntry rejection = null;
        int stale = 0;
        int expired = 0;
        List<String> refusals = new ArrayList<>();
        for (LedgerEntry e : ordered) {
            if (!e.requestDigest().equals(digest)) {
                stale++;
                records.add(record(ApprovalEvent.STALE, e, false, e.decision().id() + " given for request " + e.requestDigest()
                        + "; the request changed since (now " + digest + ") and needs deciding again"));
                continue;
            }
            String refusal = refusal(rule, request, digest, e, now);
            if (refusal == null && e.decision() == DecisionKind.APPROVE && approvals.containsKey(userIds.keyFor(e.identity()))) {
                Counted first = approvals.get(userIds.keyFor(e.identity()));
                refusal = e.identity() + " already approved (as " + first.entry().identity() + " at " + first.entry().at()
                        + "); the same person counts once";
            }
            if (refusal != null) {
                refusals.add(e.identity() + ": " + refusal);
                records.add(record(ApprovalEvent.REFUSED, e, false, refusal));
                continue;
            }
            switch (e.decision()) {
                case REJECT -> {
                    if (rejection == null) {
                        rejection = e;
                    }
                    records.add(record(ApprovalEvent.REJECT, e, true, "rejected by " + e.identity()));
                }
                case BYPASS -> {
                    if (isExpired(rule, e, now)) {
                        expired++;
                        records.add(record(ApprovalEvent.EXPIRED, e, false, expiredReason(rule, e)));
                    } else {
                        if (bypass == null) {
                            bypass = e;
                        }
                        records.add(record(ApprovalEvent.BYPASS, e, true,
                                "administrator bypass by " + e.identity() + ", allowed by the profile's approval rule"));
                    }
                }
                case APPROVE -> {
                    if (isExpired(rule, e, now)) {
                        expired++;
                        records.add(record(ApprovalEvent.EXPIRED, e, false, expiredReason(rule, e)));
                    } else {
                        Set<String> ownerGroups = ownerGroups(rule.approvers(), e);
                        approvals.put(userIds.keyFor(e.identity()), new Counted(e, ownerGroups));
                        records.add(record(ApprovalEvent.APPROVE, e, true, "approved by " + e.identity() + eligibility(rule, e)));
                    }
                }
                default -> throw new IllegalStateException(e.decision().toString());
            }
        }

        if (rejection != null) {
            String msg = "rejected by " + rejection.identity() + " at " + rejection.at()
                    + (rejection.comment().isEmpty() ? "" : ": " + rejection.comment());
            return new ApprovalStatus(ApprovalState.REJECTED, digest, msg, null, List.of(), null, rejection.identity(),
                    rejection.comment(), null, records);
        }

        ApprovedVia via = null;
        String template = null;
        List<String> approvers = List.of();
        String how;
        String templateNote = "";
        if (rule.mode() == ApprovalMode.NONE) {
            via = ApprovedVia.NOT_REQUIRED;
            how = "no approval required for class " + request.executionClass().id();
            records.add(new ApprovalRecord(ApprovalEvent.NOT_REQUIRED, ApprovalRecord.ENGINE, List.of(), now, digest, true, "", how));
        } else {
            // Dual control always needs two people: a template never stands in for them.
            List<String> misses = new ArrayList<>();
            if (rule.mode() != ApprovalMode.DUAL) {
                for (TaskTemplate t : templates.stream().sorted(Comparator.comparing(TaskTemplate::id)).toList()) {
                    String miss = Templates.mismatch(t, request.executionClass(), request.promptHash(), facts);
                    if (miss == null) {
                        template = t.id();
                        break;
                    }
                    if (t.classes().contains(request.executionClass())) {
                        misses.add(miss);
                    }
                }
            }
            if (template != null) {
                via = ApprovedVia.TEMPLATE;
                how = "approved by template " + template;
                String scope = pathScopeNote(templates, template, facts);
                records.add(new ApprovalRecord(ApprovalEvent.TEMPLATE, "template:" + template, List.of(), now, digest, true, "",
                        how + scope));
                templateNote = scope;
            } else {
                if (!misses.isEmpty()) {
                    templateNote = "; no template matched (" + String.join("; ", misses) + ")";
                }
                int needed = rule.mode() == ApprovalMode.DUAL ? 2 : 1;
                List<Counted> counted = new ArrayList<>(approvals.values());
                if (counted.size() >= needed && (!(rule.mode() == ApprovalMode.DUAL && rule.distinctGroups())
                        || distinctGroupPair(counted) != null)) {
                    via = ApprovedVia.APPROVERS;
                    approvers = rule.mode() == ApprovalMode.DUAL && rule.distinctGroups()
                            ? distinctGroupPair(counted) : counted.stream().map(c -> c.entry().identity()).toList();
                    how = "approved by " + String.join(" and ", approvers);
                } else if (bypass != null) {
                    via = ApprovedVia.BYPASS;
                    approvers = List.of(bypass.identity());
                    how = "approved by administrator bypass of " + bypass.identity();
                } else {
                    List<String> have = counted.stream().map(c -> c.entry().identity()).toList();
                    String missing = missing(rule, request, counted, needed);
                    String notes = (refusals.isEmpty() ? "" : "; not counted: " + String.join("; ", refusals)) + templateNote;
                    ApprovalState state = ApprovalState.PENDING;
                    String lead = "";
                    if (counted.isEmpty() && expired > 0) {
                        state = ApprovalState.EXPIRED;
                        lead = "every approval of this request has expired (expiry " + expiry(rule) + "); ";
                    } else if (counted.isEmpty() && stale > 0 && expired == 0) {
                        state = ApprovalState.STALE;
                        lead = "the request changed after it was decided on (" + stale + " decision(s) for an earlier digest); ";
                    }
                    String msg = lead + missing + (have.isEmpty() ? "" : " (approved so far: " + String.join(", ", have) + ")") + notes;
                    return new ApprovalStatus(state, digest, msg, null, have, null, null, null, null, records);
                }
            }
        }

        Schedule schedule = Schedule.of(rule);
        Optional<Blackout> blackout = schedule.blackoutAt(now);
        if (blackout.isPresent() || !schedule.inWindow(now)) {
            Instant next = schedule.nextOpening(now).orElse(null);
            String when = next == null ? "no window ever opens" : "next opening " + next;
            String expiryNote = expiryBefore(rule, approvals.values(), bypass, next);
            ApprovalState state;
            String msg;
            if (blackout.isPresent()) {
                Blackout b = blackout.get();
                state = ApprovalState.IN_BLACKOUT;
                msg = how + ", but blackout " + b.from() + " to " + b.to() + " " + b.zone()
                        + (b.reason().isEmpty() ? "" : " (" + b.reason() + ")") + " is in force; " + when + expiryNote;
                records.add(new ApprovalRecord(ApprovalEvent.IN_BLACKOUT, ApprovalRecord.ENGINE, List.of(), now, digest, false, "", msg));
            } else {
                state = ApprovalState.OUTSIDE_WINDOW;
                msg = how + ", but no execution window is open; " + when + expiryNote;
                records.add(new ApprovalRecord(ApprovalEvent.WAITING_FOR_WINDOW, ApprovalRecord.ENGINE, List.of(), now, digest,
                        false, "", msg));
            }
            return new ApprovalStatus(state, digest, msg, via, approvers, template, null, null, next, records);
        }
        return new ApprovalStatus(ApprovalState.APPROVED, digest, how + templateNote, via, approvers, template, null, null, null,
                records);
    }

    /**
     * Why a single decision on this request cannot count, or null when it can (before expiry and the same-person
     * check, which need the whole ledger). Channels call this to refuse a decision before recording it.
     */
    public String refusal(ApprovalRule rule, ApprovalRequest request, LedgerEntry e, Instant now) {
        return refusal(rule, request, request.digest(), e, now);
    }

    private String refusal(ApprovalRule rule, ApprovalRequest request, String digest, LedgerEntry e, Instant now) {
        if (!e.requestDigest().equals(digest)) {
            return "given for request " + e.requestDigest() + ", not for this request (" + digest + ")";
        }
        if (e.at().isAfter(now)) {
            return "dated " + e.at() + ", after the evaluation time " + now;
        }
        if (userIds.same(e.identity(), request.requester())) {
            return e.identity() + " requested this run and cannot " + e.decision().id() + " it (the requester is excluded)";
        }
        if (e.decision() == DecisionKind.BYPASS) {
            if (!rule.allowAdminBypass()) {
                return "administrator bypass is not allowed by this profile's approval rule (allowAdminBypass: false)";
            }
            if (!e.admin()) {
                return e.identity() + " is not an administrator; only administrators may bypass";
            }
            return null;
        }
        if (rule.mode() == ApprovalMode.NONE && e.decision() == DecisionKind.APPROVE) {
            return null; // nothing to approve; a rejection from the approver set or an administrator still refuses
        }
        if (rule.approvers().isEmpty() && !(e.decision() == DecisionKind.REJECT && e.admin())) {
            return "the approval rule names no approvers, so nobody can " + e.decision().id()
                    + "; an administrator must configure approvers (users or groups) for this class's profile";
        }
        if (!isApprover(rule.approvers(), e) && !(e.decision() == DecisionKind.REJECT && e.admin())) {
            return e.identity() + " is not in the approver set " + describe(rule.approvers())
                    + " (groups recorded: " + (e.groups().isEmpty() ? "none" : String.join(", ", e.groups())) + ")";
        }
        return null;
    }

    private boolean isApprover(Approvers set, LedgerEntry e) {
        String key = userIds.keyFor(e.identity());
        return set.users().stream().anyMatch(u -> userIds.keyFor(u).equals(key)) || !ownerGroups(set, e).isEmpty();
    }

    /** The approver-set groups (as the rule spells them) the person belongs to. */
    private Set<String> ownerGroups(Approvers set, LedgerEntry e) {
        Set<String> member = directory.groupsOf(e.identity(), new TreeSet<>(e.groups())).stream()
                .map(groupIds::keyFor).collect(Collectors.toSet());
        Set<String> out = new LinkedHashSet<>();
        for (String g : set.groups()) {
            if (member.contains(groupIds.keyFor(g))) {
                out.add(g);
            }
        }
        return out;
    }

    private String eligibility(ApprovalRule rule, LedgerEntry e) {
        if (rule.mode() == ApprovalMode.NONE) {
            return "";
        }
        String key = userIds.keyFor(e.identity());
        boolean asUser = rule.approvers().users().stream().anyMatch(u -> userIds.keyFor(u).equals(key));
        Set<String> groups = ownerGroups(rule.approvers(), e);
        List<String> ways = new ArrayList<>();
        if (asUser) {
            ways.add("as a named approver");
        }
        if (!groups.isEmpty()) {
            ways.add("through group " + String.join(", ", groups));
        }
        return ways.isEmpty() ? "" : " (" + String.join("; ", ways) + ")";
    }

    /** Two approvals whose people can be matched to two different approver-set groups, or null. */
    private static List<String> distinctGroupPair(List<Counted> counted) {
        for (int i = 0; i < counted.size(); i++) {
            for (int j = i + 1; j < counted.size(); j++) {
                Set<String> a = counted.get(i).groups();
                Set<String> b = counted.get(j).groups();
                for (String ga : a) {
                    for (String gb : b) {
                        if (!ga.equals(gb)) {
                            return List.of(counted.get(i).entry().identity(), counted.get(j).entry().identity());
                        }
                    }
                }
            }
        }
        return null;
    }

    private String missing(ApprovalRule rule, ApprovalRequest request, List<Counted> counted, int needed) {
        if (rule.approvers().isEmpty()) {
            return "needs " + needed + " approval(s), but the approval rule names no approvers; an administrator must"
                    + " configure approvers (users or groups) for this class's profile";
        }
        String set = describe(rule.approvers());
        String excl = " (requester " + request.requester() + " excluded)";
        int more = Math.max(0, needed - counted.size());
        if (rule.mode() == ApprovalMode.DUAL && rule.distinctGroups()) {
            List<Counted> usable = counted.stream().filter(c -> !c.groups().isEmpty()).toList();
            List<String> groupless = counted.stream().filter(c -> c.groups().isEmpty()).map(c -> c.entry().identity()).toList();
            String note = groupless.isEmpty() ? "" : "; approvals through no approver group do not count for distinct groups: "
                    + String.join(", ", groupless);
            if (usable.isEmpty()) {
                return "needs 2 more approvals from two distinct groups of " + set + excl + note;
            }
            Set<String> used = usable.stream().flatMap(c -> c.groups().stream()).collect(Collectors.toCollection(TreeSet::new));
            String from = usable.size() == 1 && used.size() > 1 ? "any group of " + set
                    : "a group of " + set + " other than " + String.join(", ", used);
            return "needs 1 more approval from " + from + excl + " (two distinct groups required)" + note;
        }
        String who = rule.mode() == ApprovalMode.DUAL ? "distinct approvers" : "owners";
        return "needs " + more + " more approval" + (more == 1 ? "" : "s") + " from " + who + " " + set + excl;
    }

    static String describe(Approvers a) {
        return "{users: " + (a.users().isEmpty() ? "none" : String.join(", ", a.users())) + "; groups: "
                + (a.groups().isEmpty() ? "none" : String.join(", ", a.groups())) + "}";
    }

    private static boolean isExpired(ApprovalRule rule, LedgerEntry e, Instant now) {
        return !now.isBefore(e.at().plus(expiry(rule)));
    }

    private static String expiredReason(ApprovalRule rule, LedgerEntry e) {
        return e.decision().id() + " by " + e.identity() + " at " + e.at() + " expired at " + e.at().plus(expiry(rule))
                + " (expiry " + expiry(rule) + ")";
    }

    private static Duration expiry(ApprovalRule rule) {
        return rule.expiry() == null ? DEFAULT_EXPIRY : rule.expiry();
    }

    private String expiryBefore(ApprovalRule rule, java.util.Collection<Counted> approvals, LedgerEntry bypass, Instant next) {
        if (next == null) {
            return "";
        }
        List<String> lapse = new ArrayList<>();
        for (Counted c : approvals) {
            Instant end = c.entry().at().plus(expiry(rule));
            if (!end.isAfter(next)) {
                lapse.add(c.entry().identity() + " at " + end);
            }
        }
        if (bypass != null && !bypass.at().plus(expiry(rule)).isAfter(next)) {
            lapse.add(bypass.identity() + " at " + bypass.at().plus(expiry(rule)));
        }
        return lapse.isEmpty() ? "" : "; approvals expire before then: " + String.join(", ", lapse);
    }

    private static String pathScopeNote(List<TaskTemplate> templates, String id, TaskFacts facts) {
        TaskTemplate t = templates.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        if (t.pathScope().isEmpty()) {
            return "";
        }
        return facts.files() == null
                ? " (path scope " + t.pathScope() + " to be checked against the files the run touches)"
                : " (all " + facts.files().size() + " files within path scope " + t.pathScope() + ")";
    }

    private static ApprovalRecord record(ApprovalEvent event, LedgerEntry e, boolean counted, String reason) {
        return new ApprovalRecord(event, e.identity(), e.groups(), e.at(), e.requestDigest(), counted, e.comment(), reason);
    }

    /** An approval that counts, with the approver-set groups its person belongs to. */
    private record Counted(LedgerEntry entry, Set<String> groups) {}
}
