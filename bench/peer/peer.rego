# The peer baseline of bench/decisions.ts: the grants policy a team would write by hand without
# rolecall, reading plain grants tables from data.peer_data (derived from the same compiled
# data.json, see bench/peer/peer.ts). Call resources only; no reason codes beyond these four.
package peer

# Call type → role → permission ids; permission id → {action, owner}; action → permission ids;
# "type:id" → role → modifiers.
call_types := data.peer_data.call_types

permissions := data.peer_data.permissions

call_overrides := data.peer_data.call_overrides

decision := {"allow": false, "reason": "invalid_input"} if {
	not valid_input
} else := {"allow": false, "reason": "team_mismatch"} if {
	not team_ok
} else := {"allow": true, "reason": "granted"} if {
	allowed
} else := {"allow": false, "reason": "not_granted"}

valid_input if {
	is_string(input.subject.id)
	input.subject.id != ""
	is_string(input.action)
	input.resource.kind == "call"
	is_string(input.resource.call_type)
	is_string(input.resource.id)
	not conflicting_modifiers
}

# The same id granted and revoked in one list of modifiers is a caller bug.
conflicting_modifiers if {
	some modifiers in input_overrides
	some modifier in modifiers
	concat("", ["!", modifier]) in modifiers
}

conflicting_modifiers if {
	some modifier in member_grants
	concat("", ["!", modifier]) in member_grants
}

team_ok if not data.peer_data.multi_tenant

team_ok if input.resource.team in input.subject.teams

team_ok if {
	not input.resource.team
	count(object.get(input.subject, "teams", [])) == 0
}

subject_roles contains input.subject.role

subject_roles contains input.subject.call_role

# The live call record's own overrides, and the YAML overrides of this call.
input_overrides := object.get(input.resource, ["config_overrides", "grants"], {})

yaml_overrides := object.get(call_overrides, concat(":", [input.resource.call_type, input.resource.id]), {})

member_grants := object.get(input.subject, "call_grants", [])

allowed if {
	some role in subject_roles
	some permission_id in data.peer_data.actions[input.action]
	permission := permissions[permission_id]
	holds(role, permission_id)
	not revoked(role, permission_id)
	owner_ok(permission)
}

holds(role, permission_id) if permission_id in call_types[input.resource.call_type][role]

holds(role, permission_id) if permission_id in yaml_overrides[role]

holds(role, permission_id) if permission_id in input_overrides[role]

holds(_, permission_id) if permission_id in member_grants

revoked(role, permission_id) if concat("", ["!", permission_id]) in yaml_overrides[role]

revoked(role, permission_id) if concat("", ["!", permission_id]) in input_overrides[role]

revoked(_, permission_id) if concat("", ["!", permission_id]) in member_grants

owner_ok(permission) if not permission.owner

owner_ok(_) if input.resource.created_by_id == input.subject.id
