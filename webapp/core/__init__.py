"""Cross-cutting pieces: types, scoping, permissions, audit, policy, crypto."""
