"""The AMI-connected router: loops, members, queue state, policy and reconciler."""
