# Team predicates of multi-tenant mode (DESIGN §3 same_team, §4 rules 6 and 7). A team is any
# string; a team-less call has no `team` (or null); a team-less user has no `teams`, null or [].
package rolecall

call_has_team if is_string(input.resource.team)

# The resource is inside the subject's teams: a call's team is one of them, a user resource
# shares one with the subject, or both are team-less. One rule for rule 7 and same_team.
resource_within_teams if {
	input.resource.kind == "call"
	input.resource.team in subject_teams
}

resource_within_teams if {
	input.resource.kind == "call"
	not call_has_team
	subject_teamless
}

resource_within_teams if {
	input.resource.kind == "user"
	some team in input.resource.teams
	team in subject_teams
}

resource_within_teams if {
	input.resource.kind == "user"
	not user_has_teams
	subject_teamless
}

user_has_teams if {
	some team in input.resource.teams
	is_string(team)
}

# Rule 7: what a subject may reach in multi-tenant mode; an app resource has no team, and a
# subject always reaches itself.
resource_reachable if input.resource.kind == "app"

resource_reachable if resource_within_teams

resource_reachable if {
	input.resource.kind == "user"
	input.resource.id == input.subject.id
}
