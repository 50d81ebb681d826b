"""Reports and the moderators' actions: dismiss, hide, warn, suspend."""
