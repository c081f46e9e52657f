"""The clean-up audit (清理清查): logic checks, children checks, separation, missing women, summary, spot checks."""
