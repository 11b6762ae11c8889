# Which grants of the subject's roles match the action (DESIGN §4 rules 8-10). Call-level actions
# stack four layers of modifiers per (role, permission), the last writer winning: call type
# grants → YAML call overrides → input config_overrides → the member's call_grants.
package rolecall

action_definition := policy_data.actions[input.action]

known_action if is_object(action_definition)

action_level := action_definition.level

write_action if action_definition.kind == "write"

action_permissions := permissions_of_action(input.action)

# Every permission (catalog or custom) whose action is `name`: looked up in the index data.json
# carries (compiler/emit-data), or found by a scan of all permissions without one.
permissions_of_action(name) := {permission | some permission in object.get(index, name, [])} if {
	index := policy_data.permissions_by_action
	is_object(index)
} else := {permission |
	some permission, definition in policy_data.permissions
	definition.action == name
}

# The roles whose grants count: the user role, and inside a call also the call role.
subject_roles contains input.subject.role if is_string(input.subject.role)

subject_roles contains input.subject.call_role if {
	input.resource.kind == "call"
	is_string(input.subject.call_role)
}

call_scope_applies if {
	action_level == "call"
	input.resource.kind == "call"
}

call_override_key := concat(":", [input.resource.call_type, input.resource.id])

input_override_grants := grants if {
	grants := input.resource.config_overrides.grants
	is_object(grants)
} else := {}

member_modifiers := modifiers if {
	modifiers := input.subject.call_grants
	is_array(modifiers)
} else := []

# Where a grant sits in the grants file ("file:line:col"), "" when it has no source.
app_source(role, permission) := source if {
	source := policy_data.sources.app[role][permission]
	is_string(source)
} else := ""

call_type_source(call_type, role, permission) := source if {
	source := policy_data.sources.call_types[call_type][role][permission]
	is_string(source)
} else := ""

call_override_source(key, role, permission) := source if {
	source := policy_data.sources.call_overrides[key][role][permission]
	is_string(source)
} else := ""

# Layer events: [layer, scope, role, permission, grants?, source]. Lookups iterate the action's
# few permissions, not every grant of the role.
layer_events contains [0, scope, role, permission, true, source] if {
	call_scope_applies
	call_type := input.resource.call_type
	scope := concat("", ["call_type:", call_type])
	some role in subject_roles
	some permission in action_permissions
	permission in policy_data.call_types[call_type][role]
	source := call_type_source(call_type, role, permission)
}

layer_events contains [1, scope, role, permission, grants, source] if {
	call_scope_applies
	scope := concat("", ["call:", call_override_key])
	some role in subject_roles
	some modifier in policy_data.call_overrides[call_override_key][role]
	is_string(modifier)
	permission := modifier_permission(modifier)
	permission in action_permissions
	grants := modifier_grants(modifier)
	source := call_override_source(call_override_key, role, permission)
}

# A call being created has no live record yet, so a create's overrides (sent by the client) grant
# and revoke nothing: a client cannot bring its own CreateCall grant.
layer_events contains [2, "input", role, permission, grants, ""] if {
	call_scope_applies
	input.action != "CreateCall"
	some role in subject_roles
	some modifier in input_override_grants[role]
	is_string(modifier)
	permission := modifier_permission(modifier)
	permission in action_permissions
	grants := modifier_grants(modifier)
}

# The member's own modifiers apply to the subject, so to each of its roles.
layer_events contains [3, "member", role, permission, grants, ""] if {
	call_scope_applies
	some role in subject_roles
	some modifier in member_modifiers
	is_string(modifier)
	permission := modifier_permission(modifier)
	permission in action_permissions
	grants := modifier_grants(modifier)
}

# Every permission a layer above names (granted or revoked) for one of the subject's roles,
# whatever the action: a call-level grant in effect is always one of these. Keep it in step with
# the layers; capabilities uses it to skip the actions nothing could grant.
layered_permissions contains permission if {
	some role in subject_roles
	some permission in policy_data.call_types[input.resource.call_type][role]
}

layered_permissions contains permission if {
	some role in subject_roles
	some modifier in policy_data.call_overrides[call_override_key][role]
	is_string(modifier)
	permission := modifier_permission(modifier)
}

layered_permissions contains permission if {
	some role in subject_roles
	some modifier in input_override_grants[role]
	is_string(modifier)
	permission := modifier_permission(modifier)
}

layered_permissions contains permission if {
	some modifier in member_modifiers
	is_string(modifier)
	permission := modifier_permission(modifier)
}

final_layer(role, permission) := max({event[0] |
	some event in layer_events
	event[2] == role
	event[3] == permission
})

revoked_in_layer(layer, role, permission) if {
	some event in layer_events
	event[0] == layer
	event[2] == role
	event[3] == permission
	event[4] == false
}

granted_in_earlier_layer(layer, role, permission) if {
	some event in layer_events
	event[0] < layer
	event[2] == role
	event[3] == permission
	event[4] == true
}

# [scope, role, permission, source] of every grant that survives the layers.
call_grants_in_effect contains [scope, role, permission, source] if {
	some [layer, scope, role, permission, grants, source] in layer_events
	grants == true
	layer == final_layer(role, permission)
	not revoked_in_layer(layer, role, permission)
}

# The revokes that removed a grant of an earlier layer (revoke wins inside one layer).
call_revocations contains [scope, role, permission, source] if {
	some [layer, scope, role, permission, grants, source] in layer_events
	grants == false
	layer == final_layer(role, permission)
	granted_in_earlier_layer(layer, role, permission)
}

app_grants_in_effect contains [".app", role, permission, source] if {
	action_level == "app"
	role := input.subject.role
	some permission in action_permissions
	permission in policy_data.app_grants[role]
	source := app_source(role, permission)
}

grants_in_effect := app_grants_in_effect | call_grants_in_effect

# A permission's owner and same_team conditions hold for this subject and resource.
conditions_hold(permission) if {
	definition := policy_data.permissions[permission]
	owner_condition_holds(definition)
	team_condition_holds(definition)
}

owner_condition_holds(definition) if not definition.owner == true

owner_condition_holds(definition) if {
	definition.owner == true
	subject_owns_resource
}

team_condition_holds(definition) if not definition.same_team == true

team_condition_holds(definition) if {
	definition.same_team == true
	same_team_holds
}

# A call is owned by its creator, a user by itself; an app resource has no owner.
subject_owns_resource if {
	input.resource.kind == "call"
	input.resource.created_by_id == input.subject.id
}

subject_owns_resource if {
	input.resource.kind == "user"
	input.resource.id == input.subject.id
}

# Sorted [scope, role, permission, source] tuples (sorted arrays, never sets, for WASM).
matched_grants := sort({grant |
	some grant in grants_in_effect
	conditions_hold(grant[2])
})

matched_revocations := sort({revocation |
	some revocation in call_revocations
	conditions_hold(revocation[2])
})

only_owner_grants_match if {
	count(matched_grants) > 0
	every grant in matched_grants {
		policy_data.permissions[grant[2]].owner == true
	}
}

grant_entry(grant) := entry if {
	grant[3] != ""
	entry := {"scope": grant[0], "role": grant[1], "permission": grant[2], "source": grant[3]}
} else := {"scope": grant[0], "role": grant[1], "permission": grant[2]}

grant_entries(grants) := [grant_entry(grant) | some grant in grants]
