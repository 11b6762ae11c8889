# The floor of bench/decisions.ts: a policy that reads nothing and answers a constant decision in
# the peer's shape. Its time is what opa-wasm and OPA cost per evaluation whatever the policy
# does (the input copied in, the call, the result copied out), so the rows above it can be read
# as policy work plus this floor.
package floor

decision := {"allow": false, "reason": "not_granted"}
