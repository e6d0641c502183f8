"""The administrator's commands: argument parsing, dispatch, reports, installation."""
