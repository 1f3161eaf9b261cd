"""What the tests share, split by what it is:

- `simulation`: the harness — the program evaluated under the mocks once per config, the dev
  stack's config, the feature sets;
- `scenarios`: the named stacks the lab tests simulate (apps, gateway labs, security labs);
- `expectations`: what the workshop's shell variables become under the mocks;
- `fakes/`: stand-ins for what the tests cannot have: a deployed workshop on loopback, `kubectl`,
  and a hand-built stack for the policy rules.
"""
