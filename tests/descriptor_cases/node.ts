// a stand-in node for the descriptor cases
