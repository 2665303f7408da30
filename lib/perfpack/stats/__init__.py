"""Statistics: significance, SPC, seasonal ranges, forecasts, disclosure control, figure rows."""
