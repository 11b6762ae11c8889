# The common-case shortcuts of the engine answer exactly like the general rules they skip: an
# input without layers of its own (input_layers_absent) reads the decision tables directly, and
# an input without context and changes skips their shape checks.
package rolecall_test

# Empty or null input layers are no layers: the same answer as with the fields absent, whether
# the table grants (GRANTED) or a YAML override revokes (REVOKED).
test_empty_input_layers_answer_like_absent_ones if {
	every resource in [red_call, call_with({"id": "muted"})] {
		every action in ["SendAudio", "SendVideo", "EndCall"] {
			plain := decide(request(member(alice, "call_member"), action, resource))
			every subject in [
				object.union(member(alice, "call_member"), {"call_grants": null}),
				object.union(member(alice, "call_member"), {"call_grants": []}),
			] {
				decide(request(subject, action, resource)) == plain
			}
			every overrides in [null, {}, {"grants": null}, {"grants": {}}, {"grants": {"admin": ["end-call"]}}] {
				decide(request(member(alice, "call_member"), action, object.union(resource, {"config_overrides": overrides}))) == plain
			}
		}
	}
}

test_yaml_override_revokes_on_both_paths if {
	muted := call_with({"id": "muted"})
	decide(request(member(alice, "call_member"), "SendVideo", muted)).reason == "REVOKED"
	layered := call_with({"id": "muted", "config_overrides": {"grants": {"admin": ["end-call"]}}})
	decide(request(member(alice, "call_member"), "SendVideo", layered)).reason == "REVOKED"
}

test_null_and_empty_context_and_changes_answer_like_absent_ones if {
	valid := request(member(alice, "call_member"), "SendAudio", red_call)
	plain := decide(valid)
	plain.reason == "GRANTED"
	every fields in [{"context": null}, {"context": {}}, {"changes": null}, {"changes": []}, {"context": null, "changes": null}] {
		decide(object.union(valid, fields)) == plain
	}
}

test_context_and_changes_of_the_wrong_type_are_invalid if {
	valid := request(member(alice, "call_member"), "SendAudio", red_call)
	every fields in [{"context": false}, {"changes": false}, {"changes": {}}, {"context": []}, {"context": {"listing": "yes"}}] {
		decide(object.union(valid, fields)).reason == "INVALID_INPUT"
	}
}
