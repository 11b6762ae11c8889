# Rules 3-10 of DESIGN §4, one or more tests per reason code, in the order of evaluation.
package rolecall_test

import data.rolecall

reason(req) := decide(req).reason

client(req) := replace(req, "context", {"side": "client"})

server(req) := replace(req, "context", {"side": "server"})

self_user := {"kind": "user", "id": "alice", "role": "user", "teams": ["red"]}

# Rule 3 SERVER_SIDE
test_server_side_allows_everything if {
	outcome := decide(server(replace(request(alice, "EndCall", red_call), "changes", ["config_overrides"])))
	outcome.allow == true
	outcome.reason == "SERVER_SIDE"
	outcome.grants == []
	outcome.revision == "rev-1"
	reason(server(request({"id": "ghost", "role": "nobody"}, "CreateUser", {"kind": "app"}))) == "SERVER_SIDE"
	reason(server(request({"id": "a", "role": "anonymous"}, "SendAudio", call_with({"team": "blue"})))) == "SERVER_SIDE"
}

test_server_side_still_needs_valid_input_and_known_action if {
	reason(server(request(alice, "Nope", red_call))) == "UNKNOWN_ACTION"
	reason(server(request(alice, "ReadCall", {"kind": "call"}))) == "INVALID_INPUT"
}

test_missing_context_and_explicit_client_are_client_side if {
	req := replace(request(alice, "UpdateCall", call_with({"created_by_id": "alice"})), "changes", ["config_overrides"])
	reason(req) == "SERVER_ONLY"
	reason(client(req)) == "SERVER_ONLY"
	reason(server(req)) == "SERVER_SIDE"
}

# Rule 4 SERVER_ONLY
test_config_overrides_change_is_server_only if {
	admin := {"id": "root", "role": "admin", "teams": ["red"]}
	outcome := decide(replace(request(admin, "UpdateCall", red_call), "changes", ["name", "config_overrides"]))
	outcome.reason == "SERVER_ONLY"
	outcome.message == "only a server-side request may change config_overrides"
}

test_member_role_change_is_server_only if {
	admin := {"id": "root", "role": "admin", "teams": ["red"]}
	reason(replace(request(admin, "UpdateCallMember", red_call), "changes", ["role"])) == "SERVER_ONLY"
	reason(replace(request(admin, "UpdateCallMember", red_call), "changes", ["custom"])) == "GRANTED"
}

test_created_by_id_change_is_server_only if {
	owner := call_with({"created_by_id": "alice"})
	reason(replace(request(alice, "UpdateCall", owner), "changes", ["created_by_id"])) == "SERVER_ONLY"
}

test_call_creation_as_oneself_with_team_is_allowed if {
	create := replace(request(alice, "CreateCall", call_with({"created_by_id": "alice"})), "changes", ["team", "created_by_id"])
	reason(create) == "GRANTED"
	reason(replace(create, "resource", call_with({"created_by_id": "bob"}))) == "SERVER_ONLY"
}

# A call being created has no live overrides: the create's own config_overrides (from the client)
# neither grant CreateCall nor revoke it.
test_call_creation_ignores_the_creates_own_overrides if {
	guest := {"id": "gus", "role": "guest", "teams": ["red"]}
	brings_grant := call_with({"created_by_id": "gus", "config_overrides": {"grants": {"guest": ["create-call"]}}})
	outcome := decide(request(guest, "CreateCall", brings_grant))
	outcome.reason == "NOT_GRANTED"
	outcome.grants == []
	decide_single(request(guest, "CreateCall", brings_grant)).reason == "NOT_GRANTED"
	member_grant := call_with({"created_by_id": "gus", "config_overrides": {"grants": {"call_member": ["create-call"]}}})
	reason(request(member(guest, "call_member"), "CreateCall", member_grant)) == "NOT_GRANTED"
	brings_revoke := call_with({"created_by_id": "alice", "config_overrides": {"grants": {"user": ["!create-call"]}}})
	reason(request(alice, "CreateCall", brings_revoke)) == "GRANTED"
	live := call_with({"config_overrides": {"grants": {"call_member": ["!send-video"]}}})
	reason(request(member(alice, "call_member"), "SendVideo", live)) == "REVOKED"
}

test_tenant_fields_are_server_only_with_multi_tenant if {
	admin := {"id": "root", "role": "admin", "teams": ["red"]}
	reason(request(admin, "CreateUser", {"kind": "app"})) == "SERVER_ONLY"
	reason(replace(request(admin, "UpdateUser", self_user), "changes", ["teams"])) == "SERVER_ONLY"
	reason(replace(request(admin, "UpdateCall", red_call), "changes", ["team"])) == "SERVER_ONLY"
	reason(replace(request(admin, "UpdateCall", red_call), "changes", ["teams"])) == "GRANTED"
}

test_tenant_fields_are_client_side_without_multi_tenant if {
	admin := {"id": "root", "role": "admin"}
	decide_single(request(admin, "CreateUser", {"kind": "app"})).reason == "GRANTED"
	decide_single(replace(request(admin, "UpdateUser", self_user), "changes", ["teams"])).reason == "GRANTED"
	decide_single(replace(request(admin, "UpdateCall", red_call), "changes", ["team"])).reason == "GRANTED"
}

# Rule 5 ANONYMOUS_READ_ONLY
test_anonymous_never_writes if {
	anonymous := {"id": "anon-1", "role": "anonymous"}
	open_call := call_with({"team": null})
	outcome := decide(request(anonymous, "SendAudio", open_call))
	outcome.reason == "ANONYMOUS_READ_ONLY"
	outcome.allow == false
	reason(request(anonymous, "ReadCall", open_call)) == "GRANTED"
	reason(request(anonymous, "UpdateUser", {"kind": "user", "id": "x"})) == "ANONYMOUS_READ_ONLY"
}

# Rule 6 TEAM_REQUIRED
test_call_creation_needs_a_team if {
	create := request(alice, "CreateCall", call_with({"team": null, "created_by_id": "alice"}))
	reason(create) == "TEAM_REQUIRED"
	reason(replace(create, "resource", object.remove(create.resource, ["team"]))) == "TEAM_REQUIRED"
	reason(replace(create, "resource", call_with({"created_by_id": "alice"}))) == "GRANTED"
	teamless := {"id": "tom", "role": "user"}
	reason(request(teamless, "CreateCall", call_with({"team": null}))) == "GRANTED"
	decide_single(create).reason == "GRANTED"
}

# Rule 7 TEAM_MISMATCH
test_calls_outside_the_subjects_teams_are_unreachable if {
	outcome := decide(request(alice, "ReadCall", call_with({"team": "blue"})))
	outcome.reason == "TEAM_MISMATCH"
	outcome.message == "the call is outside the subject's teams"
	reason(request(alice, "ReadCall", call_with({"team": null}))) == "TEAM_MISMATCH"
	teamless := {"id": "tom", "role": "user"}
	reason(request(teamless, "ReadCall", red_call)) == "TEAM_MISMATCH"
	reason(request(teamless, "ReadCall", call_with({"team": null}))) == "GRANTED"
	reason(request(teamless, "CreateCall", red_call)) == "TEAM_MISMATCH"
	decide_single(request(alice, "ReadCall", call_with({"team": "blue"}))).reason == "GRANTED"
}

# Data without a boolean multi_tenant_enabled (no compile writes one) keeps tenants apart.
test_data_without_the_tenant_setting_keeps_teams_apart if {
	blue_read := request(alice, "ReadCall", call_with({"team": "blue"}))
	every settings in [{}, {"multi_tenant_enabled": null}, {"multi_tenant_enabled": "false"}] {
		data_without := object.union(fixture, {"settings": settings})
		outcome := rolecall.decision with input as blue_read with data.rolecall_data as data_without
		outcome.reason == "TEAM_MISMATCH"
	}
	no_settings := object.remove(fixture, ["settings"])
	reason_without := rolecall.decision.reason with input as blue_read with data.rolecall_data as no_settings
	reason_without == "TEAM_MISMATCH"
}

# Rule 7's one exception: a call listed by a client query, whose team the query decided (§5)
test_a_listed_call_is_read_whatever_its_team if {
	listed := replace(request(alice, "ReadCall", call_with({"team": "blue"})), "context", {"side": "client", "listing": true})
	outcome := decide(listed)
	outcome.reason == "GRANTED"
	outcome.message == "ReadCall granted by read-call to role user in scope call_type:default"
	reason(replace(listed, "action", "JoinCall")) == "TEAM_MISMATCH"
	reason(replace(listed, "action", "EndCall")) == "TEAM_MISMATCH"
	reason(replace(listed, "context", {"side": "client", "listing": false})) == "TEAM_MISMATCH"
	agent := {"id": "007", "role": "special_agent", "teams": ["red"]}
	reason(replace(listed, "subject", agent)) == "NOT_GRANTED"
	reason(replace(listed, "context", {"listing": "yes"})) == "INVALID_INPUT"
	decide(replace(listed, "context", {"listing": 1})).message == "invalid input: context.listing must be a boolean"
}

test_users_outside_the_subjects_teams_are_unreachable if {
	reason(request(alice, "SearchUser", {"kind": "user", "id": "bob", "teams": ["blue"]})) == "TEAM_MISMATCH"
	reason(request(alice, "SearchUser", {"kind": "user", "id": "bob", "teams": ["blue", "red"]})) == "GRANTED"
	reason(request(alice, "SearchUser", {"kind": "user", "id": "bob"})) == "TEAM_MISMATCH"
	teamless := {"id": "tom", "role": "user", "teams": []}
	reason(request(teamless, "SearchUser", {"kind": "user", "id": "sam", "teams": null})) == "GRANTED"
	reason(request(teamless, "SearchUser", {"kind": "user", "id": "bob", "teams": ["red"]})) == "TEAM_MISMATCH"
}

test_a_subject_always_reaches_itself if {
	lonely := {"id": "tom", "role": "user"}
	reason(request(lonely, "UpdateUser", {"kind": "user", "id": "tom", "teams": ["red"]})) == "GRANTED"
}

test_app_resources_have_no_team if {
	reason(request(alice, "SearchUser", {"kind": "app"})) == "GRANTED"
}

# Rule 8 FORBIDDEN_FIELD
test_update_own_user_excludes_role_and_teams if {
	outcome := decide(replace(request(alice, "UpdateUser", self_user), "changes", ["name", "role"]))
	outcome.reason == "FORBIDDEN_FIELD"
	outcome.message == "owner grants do not allow changing role"
	reason(replace(request(alice, "UpdateUser", self_user), "changes", ["name"])) == "GRANTED"
	single := decide_single(replace(request(alice, "UpdateUser", self_user), "changes", ["teams", "role"]))
	single.reason == "FORBIDDEN_FIELD"
	single.message == "owner grants do not allow changing role, teams"
}

test_a_non_owner_grant_may_change_role if {
	admin := {"id": "root", "role": "admin", "teams": ["red"]}
	reason(replace(request(admin, "UpdateUser", self_user), "changes", ["role"])) == "GRANTED"
}

# Rule 9 GRANTED
test_granted_lists_the_matching_grants_with_sources if {
	outcome := decide(request(member(alice, "call_member"), "SendAudio", red_call))
	outcome.allow == true
	outcome.reason == "GRANTED"
	outcome.grants == [{
		"scope": "call_type:default", "role": "call_member",
		"permission": "send-audio", "source": "rolecall.yaml:20:9",
	}]
	outcome.message == "SendAudio granted by send-audio to role call_member in scope call_type:default"
	rolecall.allow with input as request(member(alice, "call_member"), "SendAudio", red_call)
		with data.rolecall_data as fixture
}

test_both_roles_count_and_grants_are_sorted if {
	outcome := decide(request(member(alice, "host"), "ReadCall", red_call))
	outcome.grants == [
		{"scope": "call_type:default", "role": "host", "permission": "read-call"},
		{"scope": "call_type:default", "role": "user", "permission": "read-call"},
	]
}

test_app_grants_use_the_user_role_only if {
	outcome := decide(request(alice, "SearchUser", {"kind": "app"}))
	outcome.grants == [{
		"scope": ".app", "role": "user",
		"permission": "search-user-same-team", "source": "rolecall.yaml:4:12",
	}]
	reason(request({"id": "x", "role": "call_member"}, "SearchUser", {"kind": "app"})) == "NOT_GRANTED"
}

test_a_call_role_grants_without_user_role_grants if {
	reason(request({"id": "x", "role": "nobody", "call_role": "host"}, "SendAudio", red_call)) == "TEAM_MISMATCH"
	decide_single(request({"id": "x", "role": "nobody", "call_role": "host"}, "SendAudio", red_call)).reason == "GRANTED"
}

test_owner_grants_need_ownership if {
	reason(request(alice, "EndCall", call_with({"created_by_id": "alice"}))) == "GRANTED"
	reason(request(alice, "EndCall", red_call)) == "NOT_GRANTED"
	reason(request(alice, "UpdateUser", {"kind": "user", "id": "bob", "teams": ["red"]})) == "NOT_GRANTED"
}

test_same_team_grants if {
	agent := {"id": "007", "role": "special_agent", "teams": ["red"]}
	reason(request(agent, "EndCall", red_call)) == "GRANTED"
	decide_single(request(agent, "EndCall", call_with({"team": "blue"}))).reason == "GRANTED"
}

test_a_call_level_action_on_a_non_call_resource_holds_no_grants if {
	reason(request(alice, "ReadCall", {"kind": "app"})) == "NOT_GRANTED"
}

# Rule 10 REVOKED / NOT_GRANTED
test_yaml_call_override_revokes if {
	muted := call_with({"id": "muted"})
	outcome := decide(request(member(alice, "call_member"), "SendVideo", muted))
	outcome.reason == "REVOKED"
	outcome.allow == false
	outcome.grants == [{
		"scope": "call:default:muted", "role": "call_member",
		"permission": "send-video", "source": "rolecall.yaml:30:20",
	}]
	outcome.message == "SendVideo revoked by !send-video for role call_member in scope call:default:muted"
}

test_yaml_call_override_grants if {
	muted := call_with({"id": "muted"})
	outcome := decide(request(member(alice, "call_member"), "EndCall", muted))
	outcome.grants == [{"scope": "call:default:muted", "role": "call_member", "permission": "end-call"}]
}

test_revoke_without_an_earlier_grant_is_not_granted if {
	muted := call_with({"id": "muted"})
	outcome := decide(request(alice, "SendVideo", muted))
	outcome.reason == "NOT_GRANTED"
	outcome.message == "no grant of SendVideo for role user"
	outcome.grants == []
}

test_input_overrides_revoke_and_grant if {
	overrides := {"grants": {"call_member": ["!send-audio", "send-video"], "user": ["send-audio"]}}
	resource := call_with({"id": "muted", "config_overrides": overrides})
	revoked := decide(request(member(alice, "call_member"), "SendAudio", call_with({"config_overrides": overrides})))
	revoked.reason == "GRANTED"
	revoked.grants == [{"scope": "input", "role": "user", "permission": "send-audio"}]
	only_member := decide(request(member({"id": "alice", "role": "guest", "teams": ["red"]}, "call_member"), "SendAudio", resource))
	only_member.reason == "REVOKED"
	only_member.grants == [{"scope": "input", "role": "call_member", "permission": "send-audio"}]
	regranted := decide(request(member(alice, "call_member"), "SendVideo", resource))
	regranted.grants == [{"scope": "input", "role": "call_member", "permission": "send-video"}]
}

test_a_revoke_another_role_still_holds_allows if {
	muted := call_with({"id": "muted"})
	outcome := decide(request(member(alice, "host"), "SendVideo", muted))
	outcome.reason == "GRANTED"
	outcome.grants == [{"scope": "call_type:default", "role": "host", "permission": "send-video"}]
}

test_member_call_grants_are_the_last_layer if {
	guest := {"id": "gus", "role": "guest", "teams": ["red"], "call_role": "call_member"}
	overrides := {"grants": {"call_member": ["!send-audio"]}}
	base := call_with({"config_overrides": overrides})
	regranted := decide(request(object.union(guest, {"call_grants": ["send-audio"]}), "SendAudio", base))
	regranted.reason == "GRANTED"
	regranted.grants == [
		{"scope": "member", "role": "call_member", "permission": "send-audio"},
		{"scope": "member", "role": "guest", "permission": "send-audio"},
	]
	revoked := decide(request(object.union(guest, {"call_grants": ["!send-audio"]}), "SendAudio", red_call))
	revoked.reason == "REVOKED"
	revoked.grants == [{"scope": "member", "role": "call_member", "permission": "send-audio"}]
}

test_audio_room_members_request_audio if {
	room := call_with({"call_type": "audio_room"})
	listener := member(alice, "call_member")
	reason(request(listener, "SendAudio", room)) == "NOT_GRANTED"
	reason(request(object.union(listener, {"call_grants": ["send-audio"]}), "SendAudio", room)) == "GRANTED"
}

test_unknown_roles_and_call_types_hold_no_grants if {
	reason(request({"id": "x", "role": "stale-role", "teams": ["red"]}, "ReadCall", red_call)) == "NOT_GRANTED"
	reason(request(alice, "ReadCall", call_with({"call_type": "gone"}))) == "NOT_GRANTED"
}
