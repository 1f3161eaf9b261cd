"""`gmw mutate`: a mutation check of the pure core. Each mutant is one change of one token (a
comparison, a boolean operator, a `not`, a constant, a string, a condition, a statement), compiled in
place of the module in a pytest process that runs only the tests that execute its line; a mutant
no test notices is a rule the suite does not pin. docs/testing.md says how to run it.

`mutants` (the changes, pure), `plan` (which tests, the score, the equivalents file, pure),
`linemap` and `inject` (the two pytest plugins), `run` (the processes), `cli` (the command).
"""
