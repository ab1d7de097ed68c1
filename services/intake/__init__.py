"""Attachments become data: files and pasted text are read in the background, in a sandbox,
and their facts become fields, searchable text and crash signatures.

    extract/   bytes or text -> plain dataclasses; no database, no settings, heavy imports
               inside the functions that use them (a process that never analyses a file never
               pays for them)
"""
