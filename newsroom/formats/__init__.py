"""The newsroom's own date formats, one module per language
(``FORMAT_MODULE_PATH``); what a module leaves out comes from Django's."""
