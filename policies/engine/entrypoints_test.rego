# rolecall/capabilities and rolecall/batch.
package rolecall_test

import data.rolecall

capabilities(req) := outcome if {
	outcome := rolecall.capabilities with input as req with data.rolecall_data as fixture
}

test_capabilities_are_the_sorted_plain_ids_of_allowed_call_actions if {
	capabilities(request(member(alice, "call_member"), "ignored", red_call)) == [
		"create-call", "join-call", "read-call", "send-audio", "send-video",
	]
}

test_capabilities_use_plain_ids_for_owner_grants if {
	owned := call_with({"created_by_id": "alice"})
	capabilities({"subject": alice, "resource": owned}) == [
		"create-call", "end-call", "join-call", "read-call", "update-call",
	]
}

test_capabilities_apply_overrides_and_member_grants if {
	subject := object.union(member(alice, "call_member"), {"call_grants": ["!join-call"]})
	capabilities({"subject": subject, "resource": call_with({"id": "muted"})}) == [
		"create-call", "end-call", "read-call", "send-audio",
	]
}

test_capabilities_are_empty_for_other_resources_and_invalid_input if {
	capabilities({"subject": alice, "resource": {"kind": "app"}}) == []
	capabilities({"subject": alice, "resource": {"kind": "user", "id": "alice"}}) == []
	capabilities({"subject": "alice", "resource": red_call}) == []
	capabilities(7) == []
	capabilities({"subject": alice, "resource": call_with({"team": "blue"})}) == []
}

test_capabilities_server_side_are_every_call_action if {
	all := capabilities({"subject": alice, "resource": red_call, "context": {"side": "server"}})
	count(all) == 8
	"update-call-member" in all
}

# The grants maps stay in data.json for people and tools; decisions, capabilities and query
# filters read only the decision tables derived from them.
tables_only := object.remove(fixture, ["app_grants", "call_types", "call_overrides", "sources", "permissions_by_action"])

test_the_decision_tables_answer_without_the_grants_maps if {
	owned := call_with({"created_by_id": "alice"})
	muted := object.union(member(alice, "call_member"), {"call_grants": ["!join-call"]})
	tiles := [
		{"subject": member(alice, "call_member"), "resource": red_call},
		{"subject": alice, "resource": owned},
		{"subject": muted, "resource": call_with({"id": "muted"})},
	]
	every tile in tiles {
		tables := rolecall.capabilities with input as tile with data.rolecall_data as tables_only
		tables == capabilities(tile)
		every action in ["EndCall", "SendAudio", "SendVideo", "UpdateCall", "QueryCalls"] {
			req := object.union(tile, {"action": action})
			decision := rolecall.decision with input as req with data.rolecall_data as tables_only
			decision == decide(req)
		}
	}
	query := {"subject": alice, "action": "QueryCalls", "query": {"filter_conditions": {}}}
	filter := rolecall.query_filter with input as query with data.rolecall_data as tables_only
	filter == filter_for(query)
}

test_the_decision_tables_are_what_decisions_read if {
	no_send_audio := json.patch(fixture, [{"op": "add", "path": "/decision_tables/call_types/default/call_member/SendAudio", "value": []}])
	req := request(member(alice, "call_member"), "SendAudio", red_call)
	decide(req).allow == true
	outcome := rolecall.decision with input as req with data.rolecall_data as no_send_audio
	outcome.reason == "NOT_GRANTED"
	tile := object.remove(req, ["action"])
	"send-audio" in capabilities(tile)
	without := rolecall.capabilities with input as tile with data.rolecall_data as no_send_audio
	not "send-audio" in without
}

batch(req) := outcome if {
	outcome := rolecall.batch with input as req with data.rolecall_data as fixture
}

test_batch_answers_in_order if {
	first := request(member(alice, "call_member"), "SendAudio", red_call)
	second := request(alice, "SendAudio", red_call)
	query := {"subject": alice, "action": "QueryCalls", "query": {"filter_conditions": {}}}
	outcome := batch({"decisions": [first, second, 5], "query_filters": [query, {}]})
	[decision.reason | some decision in outcome.decisions] == ["GRANTED", "NOT_GRANTED", "INVALID_INPUT"]
	outcome.decisions[0] == decide(first)
	[result.reason | some result in outcome.query_filters] == ["INJECTED", "INVALID_INPUT"]
	outcome.query_filters[0] == filter_for(query)
}

test_batch_with_a_malformed_shape_answers_empty_lists if {
	empty := {"decisions": [], "query_filters": []}
	batch(null) == empty
	batch({}) == empty
	batch({"decisions": {"a": 1}, "query_filters": "x"}) == empty
}
