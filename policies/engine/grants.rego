# Which grants of the subject's roles match the action (DESIGN §4 rules 8-10). The compiler has
# already layered what does not depend on the input (call type grants, then the YAML call
# override) into decision_tables; a call-level action layers only the input's two layers on top,
# per (role, permission), the last writer winning: input config_overrides → the member's
# call_grants. core/engine/decision.ts is the same algorithm in JavaScript.
#
# Every rule here is evaluated once per decision (rules are cached, functions are not), and the
# per-entry work is plain expressions: in OPA's interpreter each rule or function evaluation
# costs more than the lookups it makes.
package rolecall

import data.rolecall_data as policy_data

# The grants in effect per scope, role and action after the layers that do not depend on the
# input (core/policy.ts DecisionTables): decisions layer only the input's modifiers on top.
import data.rolecall_data.decision_tables

action_definition := policy_data.actions[input.action]

known_action if is_object(action_definition)

# The roles the input names: the user role, and inside a call also the call role.
subject_roles contains input.subject.role if is_string(input.subject.role)

subject_roles contains input.subject.call_role if {
	input.resource.kind == "call"
	is_string(input.subject.call_role)
}

# The roles whose grants count: each only at its own level (DESIGN §4); a role of the wrong
# level holds no grants, exactly like an unknown role.
granting_roles contains role if {
	role := input.subject.role
	policy_data.roles[role].level in {"user", "any"}
}

granting_roles contains role if {
	input.resource.kind == "call"
	role := input.subject.call_role
	policy_data.roles[role].level in {"call", "any"}
}

user_level_role(role) if policy_data.roles[role].level in {"user", "any"}

# The table (action → entries) of one role on this call: the YAML override's for the roles it
# names (it already holds the call type's grants underneath), else the call type's. Read by
# direct references into data, so only the entries a decision reads are converted.
call_key := concat(":", [input.resource.call_type, input.resource.id])

call_role_table(role) := table if {
	table := decision_tables.calls[call_key][role]
} else := table if {
	table := decision_tables.call_types[input.resource.call_type][role]
} else := {}

# Whether the grants file overrides this call (a YAML `calls:` entry); most calls have none.
call_overridden if decision_tables.calls[concat(":", [input.resource.call_type, input.resource.id])]

# The asked action's entries in one role's table on this call.
role_action_entries(role) := object.get(decision_tables.call_types, [input.resource.call_type, role, input.action], []) if {
	not call_overridden
} else := entries if {
	entries := decision_tables.calls[call_key][role][input.action]
} else := [] if {
	decision_tables.calls[call_key][role]
} else := object.get(decision_tables.call_types, [input.resource.call_type, role, input.action], [])

# The input layers' modifiers, for every action at once (capabilities reads them all, a decision
# only its action's): [scope, role, permission, revokes?]. Only known permissions: a modifier of
# an unknown id grants nothing. The fields are read directly: a valid call input has them as
# lists or null, and iterating null or an absent field finds nothing.

# The live call record's overrides (scope "input"). A call being created has no live record yet,
# so a modifier of a CreateCall permission grants and revokes nothing here: a client cannot bring
# its own CreateCall grant.
input_modifiers contains ["input", role, permission, startswith(modifier, "!")] if {
	input.resource.kind == "call"
	some role in granting_roles
	some modifier in input.resource.config_overrides.grants[role]
	permission := trim_prefix(modifier, "!")
	policy_data.permissions[permission].action != "CreateCall"
}

# The member's own modifiers (scope "member") apply to the subject, so to each of its roles.
input_modifiers contains ["member", role, permission, startswith(modifier, "!")] if {
	input.resource.kind == "call"
	some modifier in input.subject.call_grants
	permission := trim_prefix(modifier, "!")
	policy_data.permissions[permission]
	some role in granting_roles
}

# [role, permission] of everything the input layers name, granted or revoked: they overwrite the
# table's entry of that permission for that role.
layered_by_input contains [role, permission] if some [_, role, permission, _] in input_modifiers

# The member layer comes last: what it names, it decides.
member_named contains permission if some ["member", _, permission, _] in input_modifiers

call_scope_applies if {
	action_definition.level == "call"
	input.resource.kind == "call"
}

# [grants?, scope, role, permission, source] of the asked action's table entries whose
# conditions hold, before the input's layers.
table_entries_in_effect contains [entry.grants, entry.scope, role, entry.permission, entry.source] if {
	call_scope_applies
	some role in granting_roles
	some entry in role_action_entries(role)
	entry.owner in owner_conditions_held
	entry.same_team in team_conditions_held
}

# The input brings no layer of its own (no live record grants, no member grants), so nothing
# overwrites the table: the common case, which skips the input layering rules.
input_layers_absent if {
	object.get(input.resource, ["config_overrides", "grants"], null) == null
	object.get(input.subject, "call_grants", null) == null
}

# [scope, role, permission, source] of every call-level grant of the asked action in effect
# whose conditions hold: a table entry no input layer names, then the input layers' own grants.
call_grants_in_effect contains [scope, role, permission, source] if {
	some [true, scope, role, permission, source] in table_entries_in_effect
	not [role, permission] in layered_by_input
}

call_grants_in_effect contains ["input", role, permission, ""] if {
	call_scope_applies
	some ["input", role, permission, false] in input_modifiers
	not permission in member_named
	action_permission_holds(permission)
}

call_grants_in_effect contains ["member", role, permission, ""] if {
	call_scope_applies
	some ["member", role, permission, false] in input_modifiers
	action_permission_holds(permission)
}

# The revokes that removed a grant of an earlier layer: a revoke entry of the table (the
# compiler keeps only those), or an input layer's `!` of what an earlier layer granted.
call_revocations contains [scope, role, permission, source] if {
	some [false, scope, role, permission, source] in table_entries_in_effect
	not [role, permission] in layered_by_input
}

call_revocations contains ["input", role, permission, ""] if {
	call_scope_applies
	some ["input", role, permission, true] in input_modifiers
	not permission in member_named
	action_permission_holds(permission)
	table_names(role, permission)
}

call_revocations contains ["member", role, permission, ""] if {
	call_scope_applies
	some ["member", role, permission, true] in input_modifiers
	action_permission_holds(permission)
	granted_before_member_layer(role, permission)
}

# A table entry exists only for a permission some layer of the grants file granted.
table_names(role, permission) if {
	some entry in role_action_entries(role)
	entry.permission == permission
}

granted_before_member_layer(role, permission) if table_names(role, permission)

granted_before_member_layer(role, permission) if ["input", role, permission, false] in input_modifiers

# An input layer's permission belongs to the asked action and its conditions hold.
action_permission_holds(permission) if {
	definition := policy_data.permissions[permission]
	definition.action == input.action
	definition.owner in owner_conditions_held
	definition.same_team in team_conditions_held
}

app_grants_in_effect contains [".app", role, entry.permission, entry.source] if {
	action_definition.level == "app"
	role := input.subject.role
	some entry in decision_tables.app[role][input.action]
	user_level_role(role)
	entry.grants == true
	entry.owner in owner_conditions_held
	entry.same_team in team_conditions_held
}

# The values of a permission's `owner` and `same_team` flags whose condition holds for this
# subject and resource (a flag that is false always holds), computed once per decision so each
# grant checks its flags by membership. The conditions are written out in `else` branches
# rather than in rules of their own: in OPA every rule evaluation costs several expressions.
# A call is owned by its creator, a user by itself; an app resource has no owner.
owner_conditions_held := {false, true} if {
	input.resource.kind == "call"
	input.resource.created_by_id == input.subject.id
} else := {false, true} if {
	input.resource.kind == "user"
	input.resource.id == input.subject.id
} else := {false}

# `same_team` always holds with multi-tenant off and on an app resource (team scoping of
# searches is query_filter's job).
team_conditions_held := {false, true} if {
	not multi_tenant
} else := {false, true} if {
	input.resource.kind == "app"
} else := {false, true} if {
	resource_within_teams
} else := {false}

# Sorted [scope, role, permission, source] tuples (sorted arrays, never sets, for WASM).
matched_grants := sort({[scope, role, permission, source] |
	some [true, scope, role, permission, source] in table_entries_in_effect
}) if {
	call_scope_applies
	input_layers_absent
} else := sort(call_grants_in_effect) if {
	call_scope_applies
} else := sort(app_grants_in_effect)

matched_revocations := sort({[scope, role, permission, source] |
	some [false, scope, role, permission, source] in table_entries_in_effect
}) if {
	call_scope_applies
	input_layers_absent
} else := sort(call_revocations)

only_owner_grants_match if {
	count(matched_grants) > 0
	every grant in matched_grants {
		policy_data.permissions[grant[2]].owner == true
	}
}

# A grant entry names its source only when it has one: an empty source drops the field. Plain
# expressions per grant, no function call with `else` (each costs several expressions in OPA).
grant_entries(grants) := [object.remove(
	{"scope": scope, "role": role, "permission": permission, "source": source},
	object.get({"": ["source"]}, source, []),
) |
	some [scope, role, permission, source] in grants
]
