"""Many runs: Monte Carlo sweeps, executors, result bundles, summaries, sensitivity, discovery."""
