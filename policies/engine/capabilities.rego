# `rolecall/capabilities` (Stream's own_capabilities): the full decision for every call-level
# action on a call resource, answered as the sorted plain permission ids of the allowed ones.
package rolecall

capabilities := sort(allowed_capabilities) if {
	is_object(input)
	input.resource.kind == "call"
} else := []

# The decision chain (DESIGN §4) split in two, so that its allow is exactly `decision.allow` for
# each action: the rules that do not depend on the action are checked once per call, and only
# the rest is evaluated per action. A rule evaluated under `with input.action` is evaluated again
# for every action (with everything it reads from the input), which made capabilities ~18 times a
# decision. The property test test/capabilities.test.ts compares both on generated inputs.
call_level_permissions[action_name] := permission if {
	some action_name, definition in policy_data.actions
	definition.level == "call"
	permission := definition.permission
	is_string(permission)
}

# Rule 1: the input shape does not depend on which action it names, only that it names one.
valid_capabilities_input if valid_decision_input with input.action as ""

# Rule 2 holds for every action of policy_data.actions; rule 3 allows them all.
allowed_capabilities contains permission if {
	valid_capabilities_input
	server_side
	some permission in call_level_permissions
}

# Rule 7 does not depend on the action; rule 8 (FORBIDDEN_FIELD) is about user resources only.
allowed_capabilities contains permission if {
	valid_capabilities_input
	not server_side
	not team_mismatch
	some action_name, permission in call_level_permissions
	may_be_granted(action_name)
	client_action_granted with input.action as action_name
}

# Rule 9 needs a call-level grant in effect, and every such grant is named in some layer: an
# action none of whose permissions is there is denied (NOT_GRANTED at the latest) without
# evaluating it.
may_be_granted(action_name) if {
	some candidate in permissions_of_action(action_name)
	candidate in layered_permissions
}

# Rules 4-6, then GRANTED (rule 9): everything after it in the chain denies.
client_action_granted if {
	count(server_only_changes) == 0
	not anonymous_write
	not team_required
	count(matched_grants) > 0
}
