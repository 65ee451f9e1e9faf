"""The public portal: notices, results, the task force's announcements and open feeds.

Plain pages for anyone, without sign-in; only the fields a notice publishes ever leave it.
"""
