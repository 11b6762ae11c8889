# `rolecall/capabilities` (Stream's own_capabilities): the full decision for every call-level
# action on a call resource, answered as the sorted plain permission ids of the allowed ones.
package rolecall

import data.rolecall_data as policy_data

capabilities := sort(allowed_capabilities) if {
	is_object(input)
	input.resource.kind == "call"
} else := []

# The decision chain (DESIGN §4) split in two, so that its allow is exactly `decision.allow` for
# each action: the layering and the rules that do not depend on the action are computed once per
# call, and only the cheap per-action rules are asked for each action a grant could come from.
# (Evaluating the decision `with input.action as` each action re-evaluates everything it reads.)
# core/engine/capabilities.ts is the same in JavaScript; test/engine/capabilities.test.ts compares
# capabilities with the decisions.
call_level_permissions[action_name] := permission if {
	some action_name, definition in policy_data.actions
	definition.level == "call"
	permission := definition.permission
	is_string(permission)
}

# Rule 1: the input shape does not depend on which action it names, only that it names one.
valid_capabilities_input if well_formed_request

valid_capabilities_input if {
	not well_formed_request
	count(decision_input_problems) == 0 with input.action as ""
}

# Rule 2 holds for every action of policy_data.actions; rule 3 allows them all.
allowed_capabilities contains permission if {
	valid_capabilities_input
	server_side
	some permission in call_level_permissions
}

# Rule 7 depends on the action only for a listed call (ReadCall); rule 8 (FORBIDDEN_FIELD) is
# about user resources only.
allowed_capabilities contains permission if {
	valid_capabilities_input
	not server_side
	some action_name in granted_call_actions
	team_reached(action_name)
	permission := call_level_permissions[action_name]
	client_may(action_name)
}

# Rule 9 for every action at once: the actions of the grants in effect whose conditions hold,
# the layers as in grants.rego (a table entry no input layer names, then the input layers' own
# grants), over every action of the roles' tables instead of the asked one.
granted_call_actions contains action_name if {
	some role in granting_roles
	some action_name, entries in call_role_table(role)
	some entry in entries
	entry.grants == true
	not [role, entry.permission] in layered_by_input
	entry.owner in owner_conditions_held
	entry.same_team in team_conditions_held
}

granted_call_actions contains definition.action if {
	some ["input", _, permission, false] in input_modifiers
	not permission in member_named
	definition := policy_data.permissions[permission]
	definition.owner in owner_conditions_held
	definition.same_team in team_conditions_held
}

granted_call_actions contains definition.action if {
	some ["member", _, permission, false] in input_modifiers
	definition := policy_data.permissions[permission]
	definition.owner in owner_conditions_held
	definition.same_team in team_conditions_held
}

# Rules 4-6 for one action; everything after GRANTED (rule 9) in the chain denies. Rule 4 for a
# call-level action always follows from a changed field (only CreateUser, an app-level action, is
# server-only without one).
client_may(action_name) if {
	not anonymous_write(policy_data.actions[action_name])
	not server_only_call_change(action_name)
	not team_required(action_name)
}

server_only_call_change(action_name) if {
	some field in input.changes
	server_only_change(action_name, field)
}
