"""From _PyRuntime to interpreters, thread states and what they know of their threads."""
