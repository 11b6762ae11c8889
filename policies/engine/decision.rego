# The decision entrypoints (DESIGN §4): `rolecall/decision` and `rolecall/allow`. The order of
# evaluation is one `else` chain, so exactly one reason applies (conflicting values throw in WASM).
package rolecall

allow := decision.allow

# A valid input's changes are a list or null; `in` finds nothing in null or an absent field.
changed(field) if field in input.changes

# Rule 4: what only a server-side request may do; each entry names the forbidden change. All but
# one follow from a changed field, so a request that changes nothing skips them; a function of
# the action, so capabilities asks it for every action without `with`. Two definitions, not a
# union of comprehensions: OPA's rule index skips the second for every other action.
server_only_changes contains change if {
	some field in input.changes
	change := server_only_change(input.action, field)
}

server_only_changes contains "create users" if {
	input.action == "CreateUser"
	multi_tenant
}

server_only_change(_, "config_overrides") := "change config_overrides"

server_only_change("UpdateCallMember", "role") := "change a call member's role"

# A client may create a call as itself: created_by_id is then its own id.
server_only_change(action, "created_by_id") := "change created_by_id" if not creates_own_call(action)

server_only_change(_, "teams") := "change a user's teams" if {
	multi_tenant
	input.resource.kind == "user"
}

# A new call's team is checked by rules 6 and 7, so CreateCall may set it.
server_only_change(action, "team") := "change a call's team" if {
	multi_tenant
	input.resource.kind == "call"
	action != "CreateCall"
}

creates_own_call("CreateCall") if input.resource.created_by_id == input.subject.id

forbidden_owner_changes contains field if {
	some field in ["role", "teams"]
	changed(field)
}

# Rule 5 for any action (capabilities); the decision chain below writes it out for its action.
anonymous_write(definition) if {
	input.subject.role == "anonymous"
	definition.kind == "write"
}

# Rule 6.
team_required("CreateCall") if {
	multi_tenant
	not subject_teamless
	not call_has_team
}

# Rule 7; it does not depend on the action (capabilities checks it once for all actions).
team_mismatch if {
	multi_tenant
	not resource_reachable
}

# Rule 7's one exception: reading a call listed by a client query, whose team the query filter
# already decided (DESIGN §5, Listing); same_team conditions still hold only within the teams.
team_decided_by_query("ReadCall") if {
	input.resource.kind == "call"
	input.context.listing == true
}

# Rule 7 lets the subject reach the resource for this action (capabilities); the decision chain
# writes it out for its action.
team_reached(_) if not team_mismatch

team_reached(action_name) if team_decided_by_query(action_name)

# A deny without grants: most answers, built without converting an empty grant list.
denial(reason, message) := {
	"allow": false,
	"reason": reason,
	"message": message,
	"revision": revision,
	"grants": [],
}

result(allowed, reason, message, grants) := {
	"allow": allowed,
	"reason": reason,
	"message": message,
	"revision": revision,
	"grants": grant_entries(grants),
}

# The order of evaluation of DESIGN §4, rule by rule; the first that applies decides. The
# conditions are written out as expressions where a helper would only wrap them: in OPA each
# rule or function evaluation costs several expressions, and every decision walks this chain.
decision := denial("INVALID_INPUT", problems_message(decision_input_problems)) if {
	not well_formed_decision_input
	count(decision_input_problems) > 0
} else := denial("UNKNOWN_ACTION", message) if {
	not known_action
	message := concat("", ["unknown action ", input.action])
} else := result(true, "SERVER_SIDE", "server-side requests are not permission checked", []) if {
	server_side
} else := denial("SERVER_ONLY", message) if {
	count(server_only_changes) > 0
	message := concat("", ["only a server-side request may ", concat("; ", sort(server_only_changes))])
} else := denial("ANONYMOUS_READ_ONLY", message) if {
	input.subject.role == "anonymous"
	action_definition.kind == "write"
	message := concat("", ["anonymous users cannot perform the write action ", input.action])
} else := denial("TEAM_REQUIRED", "a user with teams must set the call's team to create it") if {
	input.action == "CreateCall"
	team_required(input.action)
} else := denial("TEAM_MISMATCH", message) if {
	team_mismatch
	not team_decided_by_query(input.action)
	message := concat("", ["the ", input.resource.kind, " is outside the subject's teams"])
} else := denial("FORBIDDEN_FIELD", message) if {
	input.resource.kind == "user"
	only_owner_grants_match
	count(forbidden_owner_changes) > 0
	message := concat("", [
		"owner grants do not allow changing ",
		concat(", ", sort(forbidden_owner_changes)),
	])
} else := result(true, "GRANTED", message, matched_grants) if {
	count(matched_grants) > 0
	[scope, role, permission, _] := matched_grants[0]
	message := concat("", [input.action, " granted by ", permission, " to role ", role, " in scope ", scope])
} else := result(false, "REVOKED", message, matched_revocations) if {
	count(matched_revocations) > 0
	[scope, role, permission, _] := matched_revocations[0]
	message := concat("", [input.action, " revoked by !", permission, " for role ", role, " in scope ", scope])
} else := denial("NOT_GRANTED", message) if {
	message := concat("", ["no grant of ", input.action, " for role ", concat(", ", sort(subject_roles))])
}
