# Team predicates of multi-tenant mode (DESIGN §3 same_team, §4 rules 6 and 7). A team is any
# string; a team-less call has no `team` (or null); a team-less user has no `teams`, null or [].
package rolecall

call_has_team if is_string(input.resource.team)

resource_user_teams := teams if {
	teams := input.resource.teams
	is_array(teams)
} else := []

# A call is inside the subject's teams: its team is one of them, or both are team-less.
call_within_subject_teams if {
	call_has_team
	input.resource.team in subject_teams
}

call_within_subject_teams if {
	not call_has_team
	subject_teamless
}

# A user resource shares a team with the subject, or both are team-less.
user_shares_team if {
	some team in resource_user_teams
	team in subject_teams
}

user_shares_team if {
	count(resource_user_teams) == 0
	subject_teamless
}

# Rule 7: what a subject may reach in multi-tenant mode; an app resource has no team.
resource_reachable if input.resource.kind == "app"

resource_reachable if {
	input.resource.kind == "call"
	call_within_subject_teams
}

resource_reachable if {
	input.resource.kind == "user"
	input.resource.id == input.subject.id
}

resource_reachable if {
	input.resource.kind == "user"
	user_shares_team
}

# The `same_team` condition of a permission; always holds with multi-tenant off and on an app
# resource (team scoping of searches is query_filter's job).
same_team_holds if not multi_tenant

same_team_holds if input.resource.kind == "app"

same_team_holds if {
	input.resource.kind == "call"
	call_within_subject_teams
}

same_team_holds if {
	input.resource.kind == "user"
	user_shares_team
}
