# `rolecall/query_filter` (DESIGN §5): rewrites a client's queryUsers / queryCalls filter so it
# stays inside the subject's teams, or denies it. An ordinary rule, as WASM has no partial eval.
package rolecall

import data.rolecall_data.decision_tables

# The decision action a query needs and the team field it filters.
query_kinds := {
	"QueryUsers": {"action": "SearchUser", "field": "teams"},
	"QueryCalls": {"action": "QueryCalls", "field": "team"},
}

query_kind := query_kinds[input.action]

query_team_field := query_kind.field

# A missing or null filter_conditions is {}.
query_conditions := conditions if {
	conditions := input.query.filter_conditions
	is_object(conditions)
} else := {}

filter_operators := {
	"$eq", "$ne", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$exists",
	"$and", "$or", "$nor", "$autocomplete", "$contains",
}

# Every key that starts with "$", at any depth: each object key ends the path walk gives its
# value, so looking at the last path element visits every key once.
filter_problems contains concat("", ["unknown operator ", key]) if {
	walk(query_conditions, [path, _])
	count(path) > 0
	key := path[count(path) - 1]
	is_string(key)
	startswith(key, "$")
	not key in filter_operators
}

filter_problems contains concat("", [key, " must be an array of objects"]) if {
	walk(query_conditions, [path, value])
	count(path) > 0
	key := path[count(path) - 1]
	key in {"$and", "$or", "$nor"}
	not object_array(value)
}

object_array(value) if {
	is_array(value)
	every item in value {
		is_object(item)
	}
}

# The `.app` entries of the subject's role that grant the query: the any-team or the same-team
# variant. An owner condition never holds on a search (the decision on the app resource denies it
# too), so an owner permission of the action grants no query, and certainly not every team.
query_grants contains entry if {
	role := input.subject.role
	user_level_role(role)
	some entry in decision_tables.app[role][query_kind.action]
	entry.grants == true
	entry.owner == false
}

# Rule 3: some `.app` grant of the query's action.
query_granted if count(query_grants) > 0

# Rule 6: an `.app` grant of the action without same_team reaches every team.
query_any_team_granted if {
	some entry in query_grants
	entry.same_team == false
}

has_top_level_team_field if {
	some key, _ in query_conditions
	key == query_team_field
}

top_level_team_value := query_conditions[query_team_field]

injected_team_condition := {"$in": subject_teams} if {
	not subject_teamless
} else := null

# A team value stays inside the subject's teams.
team_value_within(value) if {
	is_string(value)
	value in subject_teams
}

team_value_within(value) if {
	value == null
	subject_teamless
}

team_value_within(value) if {
	value == []
	subject_teamless
}

# With several operators on the field they are ANDed, so one provable operator is enough.
team_value_within(value) if {
	is_object(value)
	some operator, argument in value
	team_operator_within(operator, argument)
}

team_operator_within("$eq", argument) if team_scalar_within(argument)

team_operator_within("$in", argument) if {
	is_array(argument)
	count(argument) > 0
	every item in argument {
		team_scalar_within(item)
	}
}

team_scalar_within(value) if {
	is_string(value)
	value in subject_teams
}

team_scalar_within(value) if {
	value == null
	subject_teamless
}

# `{}` on the team field means all teams: the condition is dropped from the filter.
any_team_filter := filter_without_team_field if {
	top_level_team_value == {}
} else := query_conditions

query_outcome(allowed, reason, filter, injected, message) := {
	"allow": allowed,
	"reason": reason,
	"filter": filter,
	"injected": injected,
	"message": message,
}

filter_without_team_field := {key: value |
	some key, value in query_conditions
	key != query_team_field
}

query_filter := query_outcome(false, "INVALID_INPUT", null, false, problems_message(query_input_problems)) if {
	not valid_query_input
} else := query_outcome(true, "SERVER_SIDE", query_conditions, false, "server-side queries are not filtered") if {
	server_side
} else := query_outcome(false, "INVALID_FILTER", null, false, message) if {
	count(filter_problems) > 0
	message := concat("", ["invalid filter: ", concat("; ", sort(filter_problems))])
} else := query_outcome(false, "NOT_GRANTED", null, false, message) if {
	not query_granted
	message := concat("", ["no grant of ", query_kind.action, " for role ", input.subject.role])
} else := query_outcome(true, "SINGLE_TENANT", query_conditions, false, "multi-tenant is off") if {
	not multi_tenant
} else := query_outcome(true, "INJECTED", filter, true, message) if {
	not has_top_level_team_field
	filter := object.union(query_conditions, {query_team_field: injected_team_condition})
	message := concat("", ["added a ", query_team_field, " condition for the subject's teams"])
} else := query_outcome(true, "WITHIN_TEAMS", query_conditions, false, message) if {
	team_value_within(top_level_team_value)
	message := concat("", ["the ", query_team_field, " condition stays inside the subject's teams"])
} else := query_outcome(true, "ANY_TEAM", filter, false, message) if {
	query_any_team_granted
	filter := any_team_filter
	message := concat("", ["the subject may ", query_kind.action, " in any team"])
} else := query_outcome(false, "CROSS_TEAM_QUERY", null, false, message) if {
	message := concat("", ["the ", query_team_field, " condition reaches outside the subject's teams"])
}
