"""Progress notes from bullet points: parse, render, fact-check."""
