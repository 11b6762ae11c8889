# Rule 1 INVALID_INPUT and rule 2 UNKNOWN_ACTION: malformed input always answers a deny.
package rolecall_test

import data.rolecall

valid := request(member(alice, "call_member"), "SendAudio", red_call)

invalid(req) if {
	outcome := decide(req)
	outcome.reason == "INVALID_INPUT"
	outcome.allow == false
	outcome.grants == []
	outcome.revision == "rev-1"
}

test_valid_baseline_is_granted if decide(valid).reason == "GRANTED"

test_non_object_inputs_are_invalid if {
	every req in [null, 5, "x", [], true] {
		invalid(req)
	}
}

test_non_object_input_message if {
	decide(5).message == "invalid input: input must be an object"
}

test_missing_input_is_invalid if {
	outcome := rolecall.decision with data.rolecall_data as fixture
	outcome.reason == "INVALID_INPUT"
	outcome.message == "invalid input: input must be an object"
	query := rolecall.query_filter with data.rolecall_data as fixture
	query.message == "invalid input: input must be an object"
	rolecall.capabilities == [] with data.rolecall_data as fixture
	rolecall.batch == {"decisions": [], "query_filters": []} with data.rolecall_data as fixture
}

test_missing_fields_are_listed_sorted if {
	decide({}).message == "invalid input: action must be a string; resource must be an object; subject must be an object"
}

test_subject_shape_is_checked if {
	invalid(replace_all(valid, {"subject": "alice"}))
	invalid(replace_all(valid, {"subject": {"role": "user"}}))
	invalid(replace_all(valid, {"subject": {"id": "", "role": "user"}}))
	invalid(replace_all(valid, {"subject": {"id": "alice"}}))
	invalid(replace_all(valid, {"subject": {"id": "alice", "role": 1}}))
	invalid(replace_all(valid, {"subject": object.union(alice, {"teams": "red"})}))
	invalid(replace_all(valid, {"subject": object.union(alice, {"teams": ["red", 1]})}))
	invalid(replace_all(valid, {"subject": object.union(alice, {"call_role": 7})}))
	invalid(replace_all(valid, {"subject": object.union(alice, {"call_grants": "send-audio"})}))
	invalid(replace_all(valid, {"subject": object.union(alice, {"call_grants": ["!"]})}))
	invalid(replace_all(valid, {"subject": object.union(alice, {"call_grants": [""]})}))
}

test_same_id_granted_and_revoked_in_member_grants_is_invalid if {
	outcome := decide(replace_all(valid, {"subject": object.union(alice, {"call_grants": ["send-audio", "!send-audio"]})}))
	outcome.reason == "INVALID_INPUT"
	contains(outcome.message, "subject.call_grants")
}

test_same_id_granted_and_revoked_in_input_overrides_is_invalid if {
	overrides := {"grants": {"call_member": ["!send-video", "send-video"]}}
	invalid(request(alice, "SendVideo", call_with({"config_overrides": overrides})))
}

test_overrides_shape_is_checked if {
	invalid(request(alice, "SendVideo", call_with({"config_overrides": []})))
	invalid(request(alice, "SendVideo", call_with({"config_overrides": {"grants": []}})))
	invalid(request(alice, "SendVideo", call_with({"config_overrides": {"grants": {"user": "send-video"}}})))
	invalid(request(alice, "SendVideo", call_with({"config_overrides": {"grants": {"user": [1]}}})))
}

test_absent_empty_and_null_overrides_are_valid if {
	decide(request(alice, "ReadCall", call_with({"config_overrides": null}))).reason == "GRANTED"
	decide(request(alice, "ReadCall", call_with({"config_overrides": {}}))).reason == "GRANTED"
	decide(request(alice, "ReadCall", call_with({"config_overrides": {"grants": null}}))).reason == "GRANTED"
	decide(request(alice, "ReadCall", call_with({"config_overrides": {"grants": {}}}))).reason == "GRANTED"
}

test_resource_shape_is_checked if {
	invalid(request(alice, "ReadCall", "call"))
	invalid(request(alice, "ReadCall", {"kind": "channel"}))
	invalid(request(alice, "ReadCall", {"id": "x"}))
	invalid(request(alice, "ReadCall", call_with({"call_type": ""})))
	invalid(request(alice, "ReadCall", call_with({"id": 3})))
	invalid(request(alice, "ReadCall", call_with({"team": ["red"]})))
	invalid(request(alice, "ReadCall", call_with({"created_by_id": 1})))
	invalid(request(alice, "UpdateUser", {"kind": "user"}))
	invalid(request(alice, "UpdateUser", {"kind": "user", "id": "alice", "teams": "red"}))
	invalid(request(alice, "UpdateUser", {"kind": "user", "id": "alice", "role": false}))
}

test_changes_and_context_shapes_are_checked if {
	invalid(replace_all(valid, {"changes": "name"}))
	invalid(replace_all(valid, {"changes": [1]}))
	invalid(replace_all(valid, {"context": "server"}))
	invalid(replace_all(valid, {"context": {"side": "browser"}}))
}

test_action_must_be_a_string if invalid(replace_all(valid, {"action": 3}))

test_unknown_fields_and_null_optionals_are_accepted if {
	extra := replace_all(valid, {"trace": {"id": 1}, "changes": null, "context": null})
	decide(extra).reason == "GRANTED"
	decide(replace_all(valid, {"context": {}})).reason == "GRANTED"
	subject := {"id": "alice", "role": "user", "teams": ["red"], "call_role": "call_member", "call_grants": null}
	decide(replace_all(valid, {"subject": subject})).reason == "GRANTED"
}

test_unknown_action if {
	outcome := decide(request(alice, "FlyToTheMoon", red_call))
	outcome.reason == "UNKNOWN_ACTION"
	outcome.allow == false
	outcome.message == "unknown action FlyToTheMoon"
}

test_invalid_input_comes_before_unknown_action if {
	decide(request(alice, "FlyToTheMoon", "call")).reason == "INVALID_INPUT"
}

test_missing_policy_data_still_answers if {
	outcome := rolecall.decision with input as valid with data.rolecall_data as null
	outcome.reason == "UNKNOWN_ACTION"
	outcome.revision == ""
	rolecall.allow == false with input as valid with data.rolecall_data as null
}
