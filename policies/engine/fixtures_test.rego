# Hand-written resolved policy (the shape of core/policy.ts ResolvedPolicy) and input builders
# shared by the engine's Rego tests. The engine reads the grants through decision_tables, which
# are derived below from the readable grants maps, as the compiler derives them into data.json.
package rolecall_test

import data.rolecall

permission(action, owner, same_team) := {
	"action": action,
	"owner": owner,
	"same_team": same_team,
	"name": action,
	"description": action,
	"builtin": true,
}

fixture := fixture_with({})

# The fixture with some of its grants replaced (object.union), its decision tables derived again.
fixture_with(grants) := object.union(policy, {"decision_tables": decision_tables(policy)}) if {
	policy := object.union(grants_fixture, grants)
}

grants_fixture := {
	"revision": "rev-1",
	"settings": {"multi_tenant_enabled": true},
	"actions": {
		"SearchUser": {"level": "app", "kind": "read", "permission": "search-user"},
		"QueryCalls": {"level": "app", "kind": "read", "permission": "query-calls"},
		"UpdateUser": {"level": "app", "kind": "write", "permission": "update-user"},
		"CreateUser": {"level": "app", "kind": "write", "permission": "create-user"},
		"CreateCall": {"level": "call", "kind": "write", "permission": "create-call"},
		"ReadCall": {"level": "call", "kind": "read", "permission": "read-call"},
		"JoinCall": {"level": "call", "kind": "read", "permission": "join-call"},
		"SendAudio": {"level": "call", "kind": "write", "permission": "send-audio"},
		"SendVideo": {"level": "call", "kind": "write", "permission": "send-video"},
		"EndCall": {"level": "call", "kind": "write", "permission": "end-call"},
		"UpdateCall": {"level": "call", "kind": "write", "permission": "update-call"},
		"UpdateCallMember": {"level": "call", "kind": "write", "permission": "update-call-member"},
	},
	"permissions": {
		"search-user": permission("SearchUser", false, false),
		"search-user-same-team": permission("SearchUser", false, true),
		"query-calls": permission("QueryCalls", false, false),
		"query-calls-same-team": permission("QueryCalls", false, true),
		"update-user": permission("UpdateUser", false, false),
		"update-user-owner": permission("UpdateUser", true, false),
		"create-user": permission("CreateUser", false, false),
		"create-call": permission("CreateCall", false, false),
		"read-call": permission("ReadCall", false, false),
		"join-call": permission("JoinCall", false, false),
		"send-audio": permission("SendAudio", false, false),
		"send-video": permission("SendVideo", false, false),
		"end-call": permission("EndCall", false, false),
		"end-call-owner": permission("EndCall", true, false),
		"end-call-same-team": permission("EndCall", false, true),
		"update-call": permission("UpdateCall", false, false),
		"update-call-owner": permission("UpdateCall", true, false),
		"update-call-member": permission("UpdateCallMember", false, false),
	},
	"roles": {
		"user": {"level": "user", "builtin": true, "description": ""},
		"guest": {"level": "user", "builtin": true, "description": ""},
		"anonymous": {"level": "user", "builtin": true, "description": ""},
		"admin": {"level": "user", "builtin": true, "description": ""},
		"call_member": {"level": "call", "builtin": true, "description": ""},
		"host": {"level": "call", "builtin": true, "description": ""},
		"special_agent": {"level": "any", "builtin": false, "description": ""},
	},
	"app_grants": {
		"user": ["query-calls-same-team", "search-user-same-team", "update-user-owner"],
		"anonymous": ["query-calls", "search-user", "update-user"],
		"admin": ["create-user", "query-calls", "search-user", "update-user"],
		"special_agent": ["query-calls", "search-user"],
	},
	"call_types": {
		"default": {
			"user": ["create-call", "end-call-owner", "join-call", "read-call", "update-call-owner"],
			"anonymous": ["read-call", "send-audio"],
			"admin": ["end-call", "read-call", "update-call", "update-call-member"],
			"call_member": ["join-call", "read-call", "send-audio", "send-video"],
			"host": ["end-call", "join-call", "read-call", "send-audio", "send-video"],
			"special_agent": ["end-call-same-team"],
		},
		"audio_room": {
			"user": ["join-call", "read-call"],
			"call_member": ["join-call", "read-call"],
			"host": ["send-audio"],
		},
	},
	"call_overrides": {"default:muted": {
		"call_member": ["!send-video", "end-call"],
		"user": ["!send-video"],
	}},
	"sources": {
		"app": {"user": {"search-user-same-team": "rolecall.yaml:4:12"}},
		"call_types": {"default": {"call_member": {"send-audio": "rolecall.yaml:20:9"}}},
		"call_overrides": {"default:muted": {"call_member": {"send-video": "rolecall.yaml:30:20"}}},
	},
}

# decision_tables as core/data-document.ts buildDecisionTables writes them, for what the grants
# above use: per scope, role and action, the entries in effect after the call type's grants and
# a YAML call override (a `!` of a permission the call type did not grant is left out).
decision_tables(policy) := {
	"app": {role: by_action(policy, "app", [[permission, true, ".app", source] |
		some permission in permissions
		source := object.get(policy.sources.app, [role, permission], "")
	]) |
		some role, permissions in policy.app_grants
	},
	"call_types": {call_type: {role: by_action(policy, "call", call_type_states(policy, call_type, role)) |
		some role, _ in grants
	} |
		some call_type, grants in policy.call_types
	},
	"calls": {key: {role: by_action(policy, "call", override_states(policy, key, role)) |
		some role, _ in overrides
	} |
		some key, overrides in policy.call_overrides
	},
}

# [permission, grants?, scope, source] of one role's grants in a call type.
call_type_states(policy, call_type, role) := [[permission, true, scope, source] |
	some permission in policy.call_types[call_type][role]
	scope := concat("", ["call_type:", call_type])
	source := object.get(policy.sources.call_types, [call_type, role, permission], "")
]

# The call type's states the override does not name, then the override's own modifiers.
override_states(policy, key, role) := array.concat(
	[state |
		some state in call_type_states(policy, split(key, ":")[0], role)
		not state[0] in {trim_prefix(modifier, "!") | some modifier in policy.call_overrides[key][role]}
	],
	[[permission, grants, concat("", ["call:", key]), source] |
		some modifier in policy.call_overrides[key][role]
		permission := trim_prefix(modifier, "!")
		grants := not_revoke(modifier)
		kept(grants, permission in object.get(policy.call_types, [split(key, ":")[0], role], []))
		source := object.get(policy.sources.call_overrides, [key, role, permission], "")
	],
)

not_revoke(modifier) := false if {
	startswith(modifier, "!")
} else := true

kept(true, _)

kept(false, true)

# action → the entries of the states whose action has `level`, sorted by permission.
by_action(policy, level, states) := {action: [entry |
	some [permission, grants, scope, source] in sort(states)
	definition := policy.permissions[permission]
	definition.action == action
	entry := {
		"permission": permission, "grants": grants, "scope": scope, "source": source,
		"owner": definition.owner, "same_team": definition.same_team,
	}
] |
	some [permission, _, _, _] in states
	action := policy.permissions[permission].action
	policy.actions[action].level == level
}

single_tenant := object.union(fixture, {"settings": {"multi_tenant_enabled": false}})

alice := {"id": "alice", "role": "user", "teams": ["red"]}

member(subject, call_role) := object.union(subject, {"call_role": call_role})

red_call := {
	"kind": "call",
	"call_type": "default",
	"id": "red-weekly",
	"team": "red",
	"created_by_id": "bob",
}

call_with(fields) := object.union(red_call, fields)

request(subject, action, resource) := {"subject": subject, "action": action, "resource": resource}

decide(req) := outcome if {
	outcome := rolecall.decision with input as req with data.rolecall_data as fixture
}

decide_single(req) := outcome if {
	outcome := rolecall.decision with input as req with data.rolecall_data as single_tenant
}

filter_for(req) := outcome if {
	outcome := rolecall.query_filter with input as req with data.rolecall_data as fixture
}

filter_single(req) := outcome if {
	outcome := rolecall.query_filter with input as req with data.rolecall_data as single_tenant
}

# object.union merges nested objects; these replace fields as a whole.
replace(original, key, value) := object.union(object.remove(original, [key]), {key: value})

replace_all(original, fields) := object.union(object.remove(original, object.keys(fields)), fields)
