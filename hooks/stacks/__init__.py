"""What each stack's template tree is made of: the parts a service has, and their files."""
