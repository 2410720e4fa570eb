"""Names vulture cannot see used, each for a reason (reviewed; `python3 run.py test` runs vulture).

vulture reads this file as code that uses these names: `vulture roundupkb hooks vulture_allowlist.py`.
"""

# ruff: noqa
# type: ignore
_ = object()

# MkDocs calls the hooks and mkdocs-macros the macros by name (mkdocs.yml lists the files).
define_env, kb_stats, recent_roundups, topic_index, topic_entries, newsletter_signup, getting_started, subscribe
on_startup, on_serve, on_config, on_files, on_env, on_page_markdown, on_page_content, on_page_context, on_post_build
builder  # the argument of `on_serve`
_.bytecode_cache  # Jinja's Environment attribute: compiled templates kept between rebuilds
_.auto_reload  # Jinja's Environment attribute: no check of the template file at each use
_.is_modified  # MkDocs asks a File whether its page must be built again (serve --dirty)
_.edit_url  # MkDocs' Page attribute: a roundup's edit button, none elsewhere

# html.parser.HTMLParser and httpcore's network backend call these overrides.
_.handle_startendtag, _.handle_pi, _.unknown_decl, _.handle_data, _.handle_entityref, _.handle_charref
_.handle_comment, _.connect_unix_socket
decl  # the argument of `unknown_decl`
exc_type, tb  # the arguments of `__aexit__`

# Read by the templates under overrides/ (charts, the newsletter block).
minor, layout, x_ticks, x_grid, y_ticks, legend, _.element_id, _.drawn
_.x_ticks, _.legend, _.y_ticks, _.x_grid
signup_url

# RE2's options object, set by attribute (`linear.compile`).
_.case_sensitive

# The classifier in one call: fit, score, choose. bench/bench_topics.py cross-validates it, tests call it.
suggest_topics
