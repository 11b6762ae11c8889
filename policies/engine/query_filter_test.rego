# rolecall/query_filter (DESIGN §5): team-filter injection for queryUsers and queryCalls.
package rolecall_test

import data.rolecall

users_query(subject, conditions) := {
	"subject": subject,
	"action": "QueryUsers",
	"query": {"filter_conditions": conditions},
}

calls_query(subject, conditions) := replace(users_query(subject, conditions), "action", "QueryCalls")

agent := {"id": "007", "role": "special_agent", "teams": ["red", "blue"]}

teamless := {"id": "tom", "role": "user"}

test_invalid_query_input if {
	every req in [
		null, 3, {},
		replace(users_query(alice, {}), "action", "SearchUser"),
		replace(users_query(alice, {}), "query", []),
		users_query(alice, []),
		users_query({"id": "alice"}, {}),
		replace(users_query(alice, {}), "context", {"side": "server-ish"}),
	] {
		outcome := filter_for(req)
		outcome == {
			"allow": false, "reason": "INVALID_INPUT", "filter": null,
			"injected": false, "message": outcome.message,
		}
	}
}

test_server_side_returns_the_filter_unchanged if {
	conditions := {"teams": {"$in": ["green"]}, "$where": "x"}
	outcome := filter_for(replace(users_query(alice, conditions), "context", {"side": "server"}))
	outcome.allow == true
	outcome.reason == "SERVER_SIDE"
	outcome.filter == conditions
	outcome.injected == false
}

test_unknown_operators_at_any_depth_are_invalid if {
	every conditions in [
		{"$where": "1"},
		{"name": {"$regex": "^a"}},
		{"$or": [{"name": "a"}, {"age": {"$gt": 3, "$elemMatch": {}}}]},
		{"$and": [{"$nor": [{"x": {"$in": [{"$bad": 1}]}}]}]},
		{"$or": {"name": "a"}},
	] {
		outcome := filter_for(users_query(alice, conditions))
		outcome.reason == "INVALID_FILTER"
		outcome.allow == false
		outcome.filter == null
	}
	filter_for(users_query(alice, {"name": {"$regex": "a"}})).message == "invalid filter: unknown operator $regex"
}

test_known_operators_at_depth_are_accepted if {
	conditions := {
		"$or": [{"name": {"$autocomplete": "ni"}}, {"$and": [{"age": {"$gte": 3, "$lt": 9}}]}],
		"$nor": [{"tags": {"$contains": "x", "$exists": true}}],
		"id": {"$ne": "a", "$nin": ["b"], "$eq": "c", "$in": ["c"], "$gt": 1, "$lte": 4},
	}
	filter_for(users_query(alice, conditions)).reason == "INJECTED"
}

test_queries_need_an_app_grant if {
	outcome := filter_for(users_query({"id": "x", "role": "guest", "teams": ["red"]}, {}))
	outcome.reason == "NOT_GRANTED"
	outcome.filter == null
	outcome.message == "no grant of SearchUser for role guest"
	filter_for(calls_query({"id": "x", "role": "call_member"}, {})).reason == "NOT_GRANTED"
}

test_single_tenant_returns_the_filter_unchanged if {
	outcome := filter_single(users_query(alice, {"name": "Nick"}))
	outcome.reason == "SINGLE_TENANT"
	outcome.filter == {"name": "Nick"}
	outcome.injected == false
}

test_missing_filter_is_empty if {
	outcome := filter_for({"subject": alice, "action": "QueryCalls"})
	outcome.filter == {"team": {"$in": ["red"]}}
	filter_for(users_query(alice, null)).filter == {"teams": {"$in": ["red"]}}
	filter_single({"subject": alice, "action": "QueryCalls", "query": null}).filter == {}
}

test_injection_adds_the_subjects_teams if {
	outcome := filter_for(users_query(agent, {"name": "Nick"}))
	outcome == {
		"allow": true, "reason": "INJECTED", "injected": true,
		"filter": {"name": "Nick", "teams": {"$in": ["red", "blue"]}},
		"message": "added a teams condition for the subject's teams",
	}
	filter_for(calls_query(alice, {})).filter == {"team": {"$in": ["red"]}}
}

test_teamless_subjects_get_a_null_team if {
	filter_for(users_query(teamless, {})).filter == {"teams": null}
	filter_for(calls_query(teamless, {"id": "x"})).filter == {"id": "x", "team": null}
}

test_a_nested_team_field_does_not_prevent_injection if {
	conditions := {"$or": [{"teams": {"$in": ["blue"]}}, {"name": "x"}]}
	outcome := filter_for(users_query(alice, conditions))
	outcome.reason == "INJECTED"
	outcome.filter == {"$or": conditions["$or"], "teams": {"$in": ["red"]}}
}

test_empty_team_condition_means_all_teams if {
	outcome := filter_for(users_query(agent, {"teams": {}, "name": "Nick"}))
	outcome.reason == "ANY_TEAM"
	outcome.filter == {"name": "Nick"}
	outcome.injected == false
	filter_for(calls_query(agent, {"team": {}})).filter == {}
}

test_all_teams_needs_the_any_team_permission if {
	strict := {"id": "s", "role": "user", "teams": ["red"]}
	with_same_team_only := fixture_with({"app_grants": {"user": ["search-user-same-team"]}})
	outcome := rolecall.query_filter with input as users_query(strict, {"teams": {}})
		with data.rolecall_data as with_same_team_only
	outcome.reason == "CROSS_TEAM_QUERY"
	outcome.allow == false
	outcome.filter == null
	filter_for(users_query(agent, {"teams": {}})).reason == "ANY_TEAM"
}

test_conditions_inside_the_subjects_teams if {
	every conditions in [
		{"teams": "red"},
		{"teams": {"$eq": "red"}},
		{"teams": {"$in": ["red"]}},
		{"teams": {"$in": ["red", "blue"]}, "name": "x"},
		{"teams": {"$ne": "blue", "$eq": "red"}},
	] {
		outcome := filter_for(users_query(agent, conditions))
		outcome.reason == "WITHIN_TEAMS"
		outcome.filter == conditions
		outcome.injected == false
	}
}

test_conditions_outside_the_subjects_teams_need_any_team if {
	every conditions in [
		{"team": "blue"},
		{"team": {"$in": ["red", "blue"]}},
		{"team": {"$in": []}},
		{"team": {"$ne": "red"}},
		{"team": null},
		{"team": []},
		{"team": {"$eq": null}},
		{"team": 5},
	] {
		denied := filter_for(calls_query({"id": "s", "role": "user", "teams": ["red"]}, conditions))
		denied.reason == "CROSS_TEAM_QUERY"
		granted := filter_for(calls_query(object.union(agent, {"teams": ["red"]}), conditions))
		granted.reason == "ANY_TEAM"
		granted.filter == conditions
	}
}

test_null_team_for_a_teamless_subject_stays_inside if {
	every conditions in [{"teams": null}, {"teams": []}, {"teams": {"$eq": null}}, {"teams": {"$in": [null]}}] {
		filter_for(users_query(teamless, conditions)).reason == "WITHIN_TEAMS"
	}
	filter_for(users_query(teamless, {"teams": "red"})).reason == "CROSS_TEAM_QUERY"
}

# An owner permission of a search action never holds on a search (the decision on the app resource
# is NOT_GRANTED too), so it grants no query and, above all, no cross-team one.
test_owner_permissions_of_a_search_grant_no_query if {
	own_search_grants := {
		"permissions": {
			"search-own": permission("SearchUser", true, false),
			"query-own-calls": permission("QueryCalls", true, false),
		},
		"app_grants": {"user": ["query-own-calls", "search-own"]},
	}
	own_search := fixture_with(own_search_grants)
	every req in [
		users_query(alice, {}), users_query(alice, {"teams": {}}), users_query(alice, {"teams": "green"}),
		calls_query(alice, {}), calls_query(alice, {"team": "green"}),
	] {
		outcome := rolecall.query_filter with input as req with data.rolecall_data as own_search
		outcome.reason == "NOT_GRANTED"
		outcome.filter == null
	}
	decision := rolecall.decision with input as request(alice, "SearchUser", {"kind": "app"})
		with data.rolecall_data as own_search
	decision.reason == "NOT_GRANTED"
	mixed := fixture_with(object.union(own_search_grants, {"app_grants": {"user": ["search-own", "search-user-same-team"]}}))
	outcome := rolecall.query_filter with input as users_query(alice, {"teams": "green"})
		with data.rolecall_data as mixed
	outcome.reason == "CROSS_TEAM_QUERY"
}
